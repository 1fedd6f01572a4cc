"""The real template.yaml provisioned into a real moto server: every resource, as declared."""

from __future__ import annotations

import json
from urllib.parse import unquote_plus

import pytest

from infra.aws import AwsEndpoint
from infra.deployment import Deployment
from infra.motoserver import MotoServer
from infra.provision import provision
from infra.stack import Stack
from infra.template import DEFAULT_TEMPLATE, translate
from tests.functional.infra.conftest import eventually

OVERRIDES = {"WorkerTimeout": "7", "MaxReceiveCount": "6", "WorkerMaxConcurrency": "3"}


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack.from_template(translate(DEFAULT_TEMPLATE, OVERRIDES), OVERRIDES)


@pytest.fixture(scope="module")
def aws(moto_server: MotoServer) -> AwsEndpoint:
    # Provisioned once for the module: these tests only read.
    MotoServer.reset()
    return AwsEndpoint(moto_server.url, "us-east-1")


@pytest.fixture(scope="module")
def deployment(stack: Stack, aws: AwsEndpoint) -> Deployment:
    return provision(stack, aws)


def queue_attributes(aws: AwsEndpoint, url: str) -> dict[str, str]:
    attributes: dict[str, str] = aws.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
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


def test_alarm_watches_the_dead_letter_queue(deployment: Deployment, aws: AwsEndpoint) -> None:
    alarms = aws.client("cloudwatch").describe_alarms()["MetricAlarms"]

    assert [a["AlarmName"] for a in alarms] == ["local-DeadLetterQueueAlarm"]
    assert alarms[0]["Dimensions"] == [{"Name": "QueueName", "Value": "local-DeadLetterQueue"}]
    assert alarms[0]["Threshold"] == 0
    assert alarms[0]["ComparisonOperator"] == "GreaterThanThreshold"


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
    assert api.code_dir == DEFAULT_TEMPLATE.parent / "functions"
    assert api.variables["TASK_QUEUE_URL"] == deployment.queues()["TaskQueue"]
    assert api.variables["DATA_TABLE_NAME"] == "local-DataTable"
    assert worker.timeout == 7
    assert worker.memory_mb == 1024
    assert worker.variables["DEAD_LETTER_QUEUE_URL"] == deployment.queues()["DeadLetterQueue"]
    assert worker.variables["SENDER_EMAIL"] == "no-reply@example.com"
    assert worker.variables["POWERTOOLS_SERVICE_NAME"] == "worker"


def test_event_source_mapping_and_http_api(deployment: Deployment) -> None:
    (mapping,) = deployment.event_source_mappings.values()
    (api,) = deployment.http_apis.values()

    assert mapping.queue_arn == "arn:aws:sqs:us-east-1:123456789012:local-TaskQueue"
    assert deployment.function(mapping.function).logical_id == "WorkerFunction"
    assert mapping.batch_size == 10
    assert mapping.batching_window_seconds == 0
    assert mapping.report_batch_item_failures is True
    assert mapping.maximum_concurrency == 3
    assert sorted(r.key for r in api.routes) == ["ANY /", "ANY /{proxy+}"]
    assert {deployment.function(r.function_arn).logical_id for r in api.routes} == {"ApiFunction"}


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


def test_upload_bucket_is_configured(deployment: Deployment, aws: AwsEndpoint) -> None:
    s3 = aws.client("s3")
    bucket = deployment.registry.ref("UploadBucket")

    notification = s3.get_bucket_notification_configuration(Bucket=bucket)
    lifecycle = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    encryption = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]

    # The name comes from the stack id: uploads-<uuid>, as the queue policy expects.
    assert (
        bucket == "uploads-" + str(deployment.stack.pseudo_parameters["AWS::StackId"]).split("/")[2]
    )
    (queue,) = notification["QueueConfigurations"]
    assert queue["QueueArn"] == deployment.registry.get_att("TaskQueue", "Arn")
    assert queue["Events"] == ["s3:ObjectCreated:*"]
    assert queue["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "uploads/"}]
    assert {"AbandonedUploads", "ExpireUploads"} <= {rule["ID"] for rule in lifecycle}
    assert cors[0]["AllowedMethods"] == ["POST"]
    assert cors[0]["MaxAgeSeconds"] == 3600
    rule = encryption["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert rule["SSEAlgorithm"] == "AES256"
    assert all(block.values())
    # Its only statement is conditional, which moto cannot evaluate: recorded, not applied.
    assert "DenyInsecureTransport" in str(deployment.registry["UploadBucketPolicy"].note)


def test_an_upload_notifies_the_task_queue(deployment: Deployment, aws: AwsEndpoint) -> None:
    bucket = deployment.registry.ref("UploadBucket")
    url = deployment.queues()["TaskQueue"]
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
