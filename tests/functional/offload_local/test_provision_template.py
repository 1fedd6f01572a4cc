"""The real template.yaml provisioned into a real moto server: every resource, as declared."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest
from botocore.exceptions import ClientError

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from offload_local.provision import provision
from offload_local.provision.deployment import Deployment, RouteThrottle
from offload_local.template.stack import Stack
from offload_local.template.translation import translate
from tests.functional.offload_local.conftest import eventually
from tests.repository import TEMPLATE

OVERRIDES = {"WorkerTimeout": "7", "MaxReceiveCount": "6", "WorkerMaxConcurrency": "3"}


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack.from_template(translate(TEMPLATE, OVERRIDES), OVERRIDES)


@pytest.fixture(scope="module")
def aws(moto_server: MotoServer) -> AwsEndpoint:
    # Provisioned once for the module: these tests only read.
    moto_server.reset()
    return AwsEndpoint(moto_server.url, "us-east-1")


@pytest.fixture(scope="module")
def deployment(stack: Stack, aws: AwsEndpoint) -> Deployment:
    return provision(stack, aws)


def queue_attributes(aws: AwsEndpoint, url: str) -> dict[str, str]:
    attributes: dict[str, str] = aws.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
    return attributes


def topic_attributes(aws: AwsEndpoint, arn: str) -> dict[str, str]:
    attributes: dict[str, str] = aws.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]
    return attributes


def test_queues_with_redrive_and_attributes(deployment: Deployment, aws: AwsEndpoint) -> None:
    queues = deployment.queues()
    task = queue_attributes(aws, queues["TaskQueue"])
    dlq = queue_attributes(aws, queues["DeadLetterQueue"])

    # VisibilityTimeout is "${WorkerTimeout}0" in the template.
    assert task["VisibilityTimeout"] == "70"
    assert task["MessageRetentionPeriod"] == "345600"
    assert task["SqsManagedSseEnabled"] == "true"
    assert json.loads(task["RedrivePolicy"]) == {
        "deadLetterTargetArn": dlq["QueueArn"],
        "maxReceiveCount": 6,
    }
    assert dlq["MessageRetentionPeriod"] == "1209600"
    assert dlq["QueueArn"] == "arn:aws:sqs:us-east-1:123456789012:local-DeadLetterQueue"


def test_table_with_ttl_and_point_in_time_recovery(
    deployment: Deployment, aws: AwsEndpoint
) -> None:
    dynamodb = aws.client("dynamodb")
    name = deployment.registry.ref("DataTable")

    table = dynamodb.describe_table(TableName=name)["Table"]
    ttl = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    backups = dynamodb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]

    assert name == "local-DataTable"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    pitr = backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]
    assert pitr == "ENABLED"


def test_sender_identity_lets_the_worker_send(deployment: Deployment, aws: AwsEndpoint) -> None:
    sesv2 = aws.client("sesv2")

    identity = sesv2.get_email_identity(EmailIdentity="no-reply@example.com")
    sent = sesv2.send_email(
        FromEmailAddress="no-reply@example.com",
        Destination={"ToAddresses": ["you@example.com"]},
        Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
    )

    assert identity["IdentityType"] == "EMAIL_ADDRESS"
    assert sent["MessageId"]


def test_alarms_notify_the_alarm_topic(deployment: Deployment, aws: AwsEndpoint) -> None:
    alarms = {a["AlarmName"]: a for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    topic = deployment.registry.ref("AlarmTopic")

    dlq = alarms["local-DeadLetterQueueAlarm"]
    assert len(alarms) == 14
    assert dlq["Dimensions"] == [{"Name": "QueueName", "Value": "local-DeadLetterQueue"}]
    assert dlq["Threshold"] == 0
    assert dlq["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarms["local-WorkerErrorsAlarm"]["Dimensions"] == [
        {"Name": "FunctionName", "Value": "local-WorkerFunction"}
    ]
    # A rate: metric math over the HTTP API's own metrics
    rate = alarms["local-ApiServerErrorRateAlarm"]
    [expression] = [m for m in rate["Metrics"] if m.get("ReturnData")]
    assert expression["Expression"] == "100 * errors / requests"
    for alarm in alarms.values():
        assert (alarm["AlarmActions"], alarm["OKActions"]) == ([topic], [topic])


def test_the_access_logs_count_429s_by_api(deployment: Deployment, aws: AwsEndpoint) -> None:
    [found] = aws.client("logs").describe_metric_filters(logGroupName="local-HttpApiAccessLogs")[
        "metricFilters"
    ]

    assert found["filterName"] == deployment.registry.ref("ApiTooManyRequestsMetric")
    assert found["filterPattern"] == '{ $.status = "429" }'
    [transformation] = found["metricTransformations"]
    assert (transformation["metricNamespace"], transformation["metricName"]) == (
        "Offload",
        "Api429",
    )
    assert transformation["metricValue"] == "1"
    assert transformation["dimensions"] == {"ApiId": "$.apiId"}


def test_alarm_topic_without_subscription_by_default(
    deployment: Deployment, aws: AwsEndpoint
) -> None:
    topic = deployment.registry.ref("AlarmTopic")

    attributes = topic_attributes(aws, topic)

    assert topic == "arn:aws:sns:us-east-1:123456789012:local-AlarmTopic"
    assert deployment.registry.get_att("AlarmTopic", "TopicName") == "local-AlarmTopic"
    assert attributes["DisplayName"] == "Background task alarms"
    # AlarmEmail is empty by default: its subscription's Condition is false.
    assert "AlarmEmailSubscription" not in deployment.registry
    assert aws.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def denies_without_tls(policy: str, service: str) -> bool:
    return any(
        statement["Effect"] == "Deny"
        and statement["Action"] == f"{service}:*"
        and statement["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for statement in json.loads(policy)["Statement"]
    )


def test_every_queue_and_the_alarm_topic_carry_their_policies(
    deployment: Deployment, aws: AwsEndpoint
) -> None:
    queues = deployment.queues()
    topic = deployment.registry.ref("AlarmTopic")

    policies = {
        name: queue_attributes(aws, url).get("Policy", "{}") for name, url in queues.items()
    }
    topic_policy = topic_attributes(aws, topic)["Policy"]

    assert sorted(policies) == [
        "DeadLetterQueue",
        "HeavyDeadLetterQueue",
        "HeavyTaskQueue",
        "TaskQueue",
    ]
    assert all(denies_without_tls(policy, "sqs") for policy in policies.values()), policies
    assert denies_without_tls(topic_policy, "sns")
    # moto keeps them without judging requests by them: the local cloud's HTTP still works
    url = queues["TaskQueue"]
    aws.client("sqs").send_message(QueueUrl=url, MessageBody="{}")
    [message] = aws.client("sqs").receive_message(QueueUrl=url)["Messages"]
    aws.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def test_log_groups_keep_their_retention_and_name_the_functions_logs(
    deployment: Deployment, aws: AwsEndpoint
) -> None:
    groups = {g["logGroupName"]: g for g in aws.client("logs").describe_log_groups()["logGroups"]}

    assert set(groups) == {
        "local-ApiFunctionLogs",
        "local-WorkerFunctionLogs",
        "local-HeavyWorkerFunctionLogs",
        "local-HttpApiAccessLogs",
    }
    assert {g["retentionInDays"] for g in groups.values()} == {30}
    assert deployment.registry.get_att("HttpApiAccessLogs", "Arn") == (
        "arn:aws:logs:us-east-1:123456789012:log-group:local-HttpApiAccessLogs:*"
    )
    # LoggingConfig.LogGroup: what the function sees as AWS_LAMBDA_LOG_GROUP_NAME.
    assert deployment.function("ApiFunction").log_group == "local-ApiFunctionLogs"
    assert deployment.function("WorkerFunction").log_group == "local-WorkerFunctionLogs"
    assert deployment.function("ApiFunction").reserved_concurrency == 10


def test_email_configuration_set_with_its_event_destination(
    deployment: Deployment, aws: AwsEndpoint
) -> None:
    name = deployment.registry.ref("EmailConfigurationSet")

    configuration_set = aws.client("sesv2").get_configuration_set(ConfigurationSetName=name)
    destinations = aws.client("ses").describe_configuration_set(
        ConfigurationSetName=name, ConfigurationSetAttributeNames=["eventDestinations"]
    )["EventDestinations"]

    assert name == "local-EmailConfigurationSet"
    assert deployment.function("WorkerFunction").variables["EMAIL_CONFIGURATION_SET"] == name
    assert configuration_set["SuppressionOptions"]["SuppressedReasons"] == ["BOUNCE", "COMPLAINT"]
    assert configuration_set["ReputationOptions"]["ReputationMetricsEnabled"] is True
    assert configuration_set["DeliveryOptions"]["TlsPolicy"] == "REQUIRE"
    (destination,) = destinations
    assert destination["MatchingEventTypes"] == ["bounce", "complaint", "reject"]
    assert (
        destination["CloudWatchDestination"]["DimensionConfigurations"][0]["DimensionName"]
        == "ses:configuration-set"
    )
    assert "no bounce" in str(deployment.registry["EmailEventMetrics"].note)


def test_user_pool_client_and_admin_group(deployment: Deployment, aws: AwsEndpoint) -> None:
    cognito = aws.client("cognito-idp")
    pool_id = deployment.registry.ref("UserPool")
    client_id = deployment.registry.ref("UserPoolClient")

    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    client = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    group = cognito.get_group(UserPoolId=pool_id, GroupName="admin")["Group"]

    provider = f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"
    assert deployment.registry.get_att("UserPool", "ProviderName") == provider
    assert deployment.registry.get_att("UserPool", "ProviderURL") == f"https://{provider}"
    assert deployment.registry.get_att("UserPool", "Arn") == pool["Arn"]
    assert pool["Name"] == "local-UserPool"
    assert pool["UsernameAttributes"] == ["email"]
    assert pool["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert client["UserPoolClient"]["ReadAttributes"] == ["email", "email_verified"]
    assert "ALLOW_ADMIN_USER_PASSWORD_AUTH" in client["UserPoolClient"]["ExplicitAuthFlows"]
    assert deployment.registry.ref("AdminGroup") == group["GroupName"] == "admin"
    assert deployment.outputs["UserPoolId"] == pool_id
    assert deployment.outputs["UserPoolClientId"] == client_id


def test_roles_carry_their_inline_policies(deployment: Deployment, aws: AwsEndpoint) -> None:
    iam = aws.client("iam")

    policies = iam.list_role_policies(RoleName="local-WorkerFunctionRole")["PolicyNames"]

    assert deployment.registry.get_att("WorkerFunctionRole", "Arn") == (
        "arn:aws:iam::123456789012:role/local-WorkerFunctionRole"
    )
    assert len(policies) == 3


def test_functions_get_their_resolved_environment(deployment: Deployment) -> None:
    api = deployment.function("ApiFunction")
    worker = deployment.function("WorkerFunction")

    assert api.handler == "api.handler.handler"
    assert api.timeout == 15
    assert api.code_dir == TEMPLATE.parent / "functions"
    assert api.variables["OFFLOAD_QUEUE_URL"] == deployment.queues()["TaskQueue"]
    assert api.variables["DATA_TABLE_NAME"] == "local-DataTable"
    assert worker.timeout == 7
    assert worker.memory_mb == 1024
    dead_letters = deployment.queues()["DeadLetterQueue"]
    assert worker.variables["OFFLOAD_DEAD_LETTER_QUEUE_URL"] == dead_letters
    assert worker.variables["SENDER_EMAIL"] == "no-reply@example.com"
    assert worker.variables["POWERTOOLS_SERVICE_NAME"] == "worker"


def test_event_source_mapping(deployment: Deployment) -> None:
    mappings = deployment.event_source_mappings
    mapping = mappings["WorkerFunctionTasks"]
    heavy = mappings["HeavyWorkerFunctionTasks"]

    assert heavy.queue_arn == "arn:aws:sqs:us-east-1:123456789012:local-HeavyTaskQueue"
    assert deployment.function(heavy.function).logical_id == "HeavyWorkerFunction"
    assert (heavy.batch_size, heavy.maximum_concurrency) == (1, 2)
    assert deployment.function("HeavyWorkerFunction").memory_mb == 2048
    assert mapping.queue_arn == "arn:aws:sqs:us-east-1:123456789012:local-TaskQueue"
    assert deployment.function(mapping.function).logical_id == "WorkerFunction"
    assert mapping.batch_size == 10
    assert mapping.batching_window_seconds == 0
    assert mapping.report_batch_item_failures is True
    assert mapping.maximum_concurrency == 3


def test_http_api_routes_authorizer_and_throttles(deployment: Deployment) -> None:
    (api,) = deployment.http_apis.values()
    routes = {route.key: route for route in api.routes}
    (authorizer,) = api.authorizers.values()

    assert {deployment.function(r.function_arn).logical_id for r in api.routes} == {"ApiFunction"}
    assert {key for key, route in routes.items() if route.authorizer is None} == {
        "GET /health",
        "GET /docs",
        "GET /docs/assets/{proxy+}",
        "GET /openapi.json",
    }
    assert {route.authorizer for route in routes.values()} == {None, "UserAuthorizer"}
    assert "ANY /{proxy+}" in routes
    assert authorizer.issuer == deployment.registry.get_att("UserPool", "ProviderURL")
    assert authorizer.audience == (deployment.registry.ref("UserPoolClient"),)
    assert authorizer.identity_source == "$request.header.Authorization"
    assert api.throttle("GET /health") == RouteThrottle(rate_limit=50, burst_limit=100)
    assert api.throttle("POST /register") == RouteThrottle(rate_limit=5, burst_limit=10)
    assert set(api.route_throttles) == {
        "POST /send-notification/{email}",
        "POST /items",
        "POST /register",
        "POST /upload",
        "POST /uploads",
    }


def test_outputs_are_resolved(deployment: Deployment) -> None:
    assert deployment.outputs["TaskQueueUrl"] == deployment.queues()["TaskQueue"]
    assert deployment.outputs["DataTableName"] == "local-DataTable"
    assert deployment.outputs["WorkerFunctionName"] == "local-WorkerFunction"
    assert str(deployment.outputs["ApiUrl"]).endswith(".execute-api.us-east-1.amazonaws.com/")


def test_provisioning_again_finds_the_same_resources(
    stack: Stack, deployment: Deployment, aws: AwsEndpoint
) -> None:
    again = provision(stack, aws)

    assert again.queues() == deployment.queues()
    assert again.registry.ref("DataTable") == deployment.registry.ref("DataTable")
    # CreateUserPool and CreateUserPoolClient always make new ones: found by name instead.
    assert again.registry.ref("UserPool") == deployment.registry.ref("UserPool")
    assert again.registry.ref("UserPoolClient") == deployment.registry.ref("UserPoolClient")


def test_upload_bucket_is_configured(deployment: Deployment, aws: AwsEndpoint) -> None:
    s3 = aws.client("s3")
    bucket = deployment.registry.ref("UploadBucket")

    notification = s3.get_bucket_notification_configuration(Bucket=bucket)
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]

    # The name comes from the stack id: uploads-<uuid>, as the queue policy expects.
    assert (
        bucket == "uploads-" + str(deployment.stack.pseudo_parameters["AWS::StackId"]).split("/")[2]
    )
    (queue,) = notification["QueueConfigurations"]
    assert queue["QueueArn"] == deployment.registry.get_att("HeavyTaskQueue", "Arn")
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]
    assert {"AbandonedUploads", "ExpireUploads"} <= {rule["ID"] for rule in lifecycle}
    # UploadAllowedOrigin is empty by default: CorsConfiguration is AWS::NoValue.
    with pytest.raises(ClientError, match="NoSuchCORSConfiguration"):
        s3.get_bucket_cors(Bucket=bucket)
    rule = encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "AES256"
    assert all(block.values())
    # Its only statement is conditional, which moto cannot evaluate: recorded, not applied.
    assert "DenyInsecureTransport" in str(deployment.registry["UploadBucketPolicy"].note)


def test_periodic_schedules_are_stored_in_their_group(
    deployment: Deployment, aws: AwsEndpoint
) -> None:
    group = deployment.registry.ref("TaskScheduleGroup")
    scheduler = aws.client("scheduler")

    stored = scheduler.get_schedule(Name="local-DailyCleanupSchedule", GroupName=group)

    assert stored["ScheduleExpression"] == "cron(0 3 * * ? *)"
    assert stored["Target"]["Arn"] == "arn:aws:sqs:us-east-1:123456789012:local-TaskQueue"
    assert stored["Target"]["RoleArn"] == deployment.registry.get_att("SchedulerRole", "Arn")
    assert json.loads(stored["Target"]["Input"])["task"] == "daily_cleanup"
    assert deployment.registry.get_att("TaskScheduleGroup", "Arn").endswith(
        f":schedule-group/{group}"
    )


def test_an_upload_notifies_the_heavy_task_queue(deployment: Deployment, aws: AwsEndpoint) -> None:
    bucket = deployment.registry.ref("UploadBucket")
    url = deployment.queues()["HeavyTaskQueue"]
    sqs = aws.client("sqs")

    aws.client("s3").put_object(Bucket=bucket, Key="uploads/photo.png", Body=b"x")

    def keys() -> list[str]:
        """an ObjectCreated record for uploads/photo.png on the task queue"""
        found = []
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
            "Messages", []
        ):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            for record in json.loads(message["Body"]).get("Records", []):
                found.append(unquote_plus(record["s3"]["object"]["key"]))
        return found

    assert eventually(keys) == ["uploads/photo.png"]
