"""What makes the deployed stack safe on the public internet, checked on the translated template
(what CloudFormation would create): who may call, how often, what is kept, who is told."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from app.settings import Settings
from tests.template.values import as_int, boundary_values, render, resolve

if TYPE_CHECKING:
    from offload_local.template.translation import Translated

# The docs page loads Swagger UI from /docs/assets/ (no CDN): those files are public too.
PUBLIC_ROUTES = {
    ("get", "/health"),
    ("get", "/docs"),
    ("get", "/docs/assets/{proxy+}"),
    ("get", "/openapi.json"),
}
#: Routes that send email or sign uploads: throttled tighter than the rest.
SENSITIVE_ROUTES = {
    "POST /send-notification/{email}",
    "POST /items",
    "POST /register",
    "POST /upload",
    "POST /uploads",
}


def api_body(translated: Translated) -> dict[str, Any]:
    body: dict[str, Any] = translated.resources["HttpApi"]["Properties"]["Body"]
    return body


def operations(translated: Translated) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, methods in api_body(translated)["paths"].items()
        for method, operation in methods.items()
        if isinstance(operation, dict) and "x-amazon-apigateway-integration" in operation
    }


def stage(translated: Translated) -> dict[str, Any]:
    [resource] = translated.of_type("AWS::ApiGatewayV2::Stage").values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def test_the_authorizer_validates_jwts_from_the_user_pool_by_default(
    translated: Translated,
) -> None:
    schemes = api_body(translated)["components"]["securitySchemes"]
    authorizer = schemes["UserAuthorizer"]["x-amazon-apigateway-authorizer"]
    assert authorizer["type"] == "jwt"
    assert authorizer["identitySource"] == "$request.header.Authorization"
    issuer = authorizer["jwtConfiguration"]["issuer"]["Fn::If"]
    assert issuer[0] == "CreateUserPool"
    assert issuer[1] == {"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"}
    assert issuer[2] == {"Ref": "AuthIssuerUrl"}
    [audience] = authorizer["jwtConfiguration"]["audience"]
    assert audience == {
        "Fn::If": ["CreateUserPool", {"Ref": "UserPoolClient"}, {"Ref": "AuthAudience"}]
    }
    assert translated.conditions["CreateUserPool"] == {"Fn::Equals": [{"Ref": "AuthIssuerUrl"}, ""]}


def test_every_route_but_health_and_docs_needs_a_token(translated: Translated) -> None:
    # SAM writes each operation's authorizer into it: the default one, or NONE when public.
    security = {key: op.get("security") for key, op in operations(translated).items()}
    public = {key for key, value in security.items() if value == [{"NONE": []}]}
    assert public == PUBLIC_ROUTES
    assert all(
        value == [{"UserAuthorizer": []}] for key, value in security.items() if key not in public
    ), security


def test_the_user_pool_verifies_emails_and_refuses_unverified_changes(
    translated: Translated,
) -> None:
    pool = translated.resources["UserPool"]
    properties = pool["Properties"]
    assert properties["UsernameAttributes"] == ["email"]
    assert properties["AutoVerifiedAttributes"] == ["email"]
    assert properties["UserAttributeUpdateSettings"] == {
        "AttributesRequireVerificationBeforeUpdate": ["email"]
    }
    assert pool["DeletionPolicy"] == "Retain"
    client = translated.resources["UserPoolClient"]["Properties"]
    assert client["GenerateSecret"] is False
    # The ID token carries what the API reads
    assert set(client["ReadAttributes"]) == {"email", "email_verified"}
    group = translated.resources["AdminGroup"]["Properties"]
    assert group["GroupName"] == "admin"


@pytest.mark.parametrize("rate", ["Rate", "Burst"])
def test_every_route_is_throttled_and_sensitive_ones_tighter(
    translated: Translated, defaults: dict[str, str], rate: str
) -> None:
    settings = stage(translated)
    key = f"Throttling{rate}Limit"
    default = as_int(settings["DefaultRouteSettings"][key], defaults, key)
    assert default > 0
    routes = settings["RouteSettings"]
    assert set(routes) == SENSITIVE_ROUTES
    for route, values in routes.items():
        assert as_int(values[key], defaults, f"{route} {key}") < default, route


def test_sensitive_routes_exist_to_carry_their_settings(translated: Translated) -> None:
    # API Gateway refuses a stage whose RouteSettings name a route that does not exist.
    keys = {f"{method.upper()} {path}" for method, path in operations(translated)}
    assert keys >= SENSITIVE_ROUTES


def test_the_api_function_has_reserved_concurrency(
    translated: Translated, defaults: dict[str, str]
) -> None:
    properties = translated.resources["ApiFunction"]["Properties"]
    spec = translated.parameters["ApiReservedConcurrency"]
    for value in boundary_values("ApiReservedConcurrency", spec):
        reserved = as_int(
            properties["ReservedConcurrentExecutions"],
            defaults | {"ApiReservedConcurrency": value},
            "ReservedConcurrentExecutions",
        )
        # Zero would switch the API off; no upper bound would not protect the account
        assert 1 <= reserved <= 1000


@pytest.mark.parametrize("function", ["ApiFunction", "WorkerFunction"])
def test_function_logs_expire(translated: Translated, function: str) -> None:
    log_group = translated.resources[function]["Properties"]["LoggingConfig"]["LogGroup"]
    logical = log_group["Ref"]
    group = translated.resources[logical]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_the_http_api_writes_access_logs_that_expire(translated: Translated) -> None:
    settings = stage(translated)["AccessLogSettings"]
    logical = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert translated.resources[logical]["Properties"]["RetentionInDays"] == {
        "Ref": "LogRetentionDays"
    }
    # Who and what, never a token or an address
    assert "$context.authorizer.claims.sub" in settings["Format"]
    assert "email" not in settings["Format"]


Metric = tuple[str, str, tuple[tuple[str, str], ...]]


def watched(alarm: dict[str, Any], defaults: dict[str, str]) -> set[Metric]:
    """(namespace, metric, dimensions) an alarm reads: its metric, or each one of its math."""
    properties = alarm["Properties"]
    metrics = [
        m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m
    ]
    if "MetricName" in properties:
        metrics.append(properties)
    return {
        (
            m["Namespace"],
            m["MetricName"],
            tuple((d["Name"], render(d["Value"], defaults)) for d in m.get("Dimensions", [])),
        )
        for m in metrics
    }


def alarmed(translated: Translated, defaults: dict[str, str]) -> set[Metric]:
    alarms = translated.of_type("AWS::CloudWatch::Alarm").values()
    return set().union(*(watched(alarm, defaults) for alarm in alarms))


def test_every_alarm_tells_the_alarm_topic(translated: Translated) -> None:
    alarms = translated.of_type("AWS::CloudWatch::Alarm")
    for logical, alarm in alarms.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical
        assert properties["OKActions"] == [{"Ref": "AlarmTopic"}], logical
    subscription = translated.resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


def test_every_queue_function_and_the_senders_reputation_is_watched(
    translated: Translated, defaults: dict[str, str]
) -> None:
    found = alarmed(translated, defaults)
    queues = translated.of_type("AWS::SQS::Queue")
    task_queues = [q for q, r in queues.items() if "RedrivePolicy" in r["Properties"]]
    workers = [
        m["Properties"]["FunctionName"]["Ref"]
        for m in translated.of_type("AWS::Lambda::EventSourceMapping").values()
    ]
    expected: set[Metric] = set()
    for queue in task_queues:
        # Tasks waiting too long: the queue's worker is stuck or too slow
        name = (("QueueName", f"<{queue}.QueueName>"),)
        expected.add(("AWS/SQS", "ApproximateAgeOfOldestMessage", name))
    for queue in set(queues) - set(task_queues):
        # A dead letter: an operator must look
        name = (("QueueName", f"<{queue}.QueueName>"),)
        expected.add(("AWS/SQS", "ApproximateNumberOfMessagesVisible", name))
    for function in [*workers, "ApiFunction"]:
        expected.add(("AWS/Lambda", "Errors", (("FunctionName", f"<{function}>"),)))
    for function in workers:
        # Throttled deliveries count towards the dead-letter queue
        expected.add(("AWS/Lambda", "Throttles", (("FunctionName", f"<{function}>"),)))
    # SES pauses an account whose bounces or complaints run high
    expected |= {
        ("AWS/SES", "Reputation.BounceRate", ()),
        ("AWS/SES", "Reputation.ComplaintRate", ()),
    }
    assert sorted(set(task_queues)) == ["HeavyTaskQueue", "TaskQueue"]
    assert sorted(workers) == ["HeavyWorkerFunction", "WorkerFunction"]
    missing = sorted(expected - found)
    assert not missing, f"no alarm reads {missing}"


@pytest.mark.parametrize(
    ("metric", "namespace"),
    [("5xx", "AWS/ApiGateway"), ("4xx", "AWS/ApiGateway"), ("Api429", "Offload")],
)
def test_the_apis_answers_are_alarmed_as_rates_of_its_requests(
    translated: Translated, defaults: dict[str, str], metric: str, namespace: str
) -> None:
    api = (("ApiId", "<HttpApi>"),)
    [alarm] = [
        a
        for a in translated.of_type("AWS::CloudWatch::Alarm").values()
        if (namespace, metric, api) in watched(a, defaults)
    ]
    # divided by the API's requests in the same period
    assert ("AWS/ApiGateway", "Count", api) in watched(alarm, defaults)
    [rate] = [m for m in alarm["Properties"]["Metrics"] if m.get("ReturnData")]
    assert "/ requests" in rate["Expression"]


def test_the_429_metric_counts_the_access_logs_429s_by_api(translated: Translated) -> None:
    [metric_filter] = translated.of_type("AWS::Logs::MetricFilter").values()
    properties = metric_filter["Properties"]
    log_format = stage(translated)["AccessLogSettings"]["Format"]

    # the HTTP API's access log, whose lines carry the status and the API's id
    assert properties["LogGroupName"] == {"Ref": "HttpApiAccessLogs"}
    assert '"status":"$context.status"' in log_format
    assert '"apiId":"$context.apiId"' in log_format
    assert properties["FilterPattern"] == '{ $.status = "429" }'
    [transformation] = properties["MetricTransformations"]
    assert (transformation["MetricNamespace"], transformation["MetricName"]) == (
        "Offload",
        "Api429",
    )
    assert transformation["Dimensions"] == [{"Key": "ApiId", "Value": "$.apiId"}]


def refuses_insecure_transport(statement: dict[str, Any], service: str, resource: Any) -> bool:
    """A statement that denies everyone everything on the resource, unless over TLS."""
    return (
        statement.get("Effect") == "Deny"
        and statement.get("Principal") == "*"
        and statement.get("Action") == f"{service}:*"
        and statement.get("Resource") == resource
        and statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    )


def test_every_queue_has_one_policy_and_it_refuses_requests_without_tls(
    translated: Translated,
) -> None:
    policies = translated.of_type("AWS::SQS::QueuePolicy").values()
    for queue in translated.of_type("AWS::SQS::Queue"):
        # One each: a second policy on a queue would replace the first
        [policy] = [p for p in policies if {"Ref": queue} in p["Properties"]["Queues"]]
        statements = policy["Properties"]["PolicyDocument"]["Statement"]
        arn = {"Fn::GetAtt": [queue, "Arn"]}
        assert any(refuses_insecure_transport(s, "sqs", arn) for s in statements), queue


def test_the_alarm_topic_takes_this_accounts_alarms_and_refuses_requests_without_tls(
    translated: Translated,
) -> None:
    [policy] = translated.of_type("AWS::SNS::TopicPolicy").values()
    properties = policy["Properties"]
    topic = {"Ref": "AlarmTopic"}
    statements = properties["PolicyDocument"]["Statement"]
    allowed = [s for s in statements if s["Effect"] == "Allow"]

    assert properties["Topics"] == [topic]
    assert any(refuses_insecure_transport(s, "sns", topic) for s in statements)
    # The policy replaces the topic's default: CloudWatch's alarms need letting in, and no
    # other account's (confused deputy)
    assert allowed == [
        {
            "Sid": "AlarmsOfThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": topic,
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": {
                        "Fn::Sub": "arn:${AWS::Partition}:cloudwatch:${AWS::Region}:"
                        "${AWS::AccountId}:alarm:*"
                    }
                },
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
            },
        }
    ]


@pytest.mark.parametrize("logical", ["DeadLetterQueue", "DataTable"])
def test_what_an_operator_needs_outlives_the_stack(translated: Translated, logical: str) -> None:
    resource = translated.resources[logical]
    assert resource.get("DeletionPolicy") == "Retain"
    assert resource.get("UpdateReplacePolicy") == "Retain"


def test_email_goes_through_a_configuration_set_that_suppresses_bounces(
    translated: Translated,
) -> None:
    configuration = translated.resources["EmailConfigurationSet"]["Properties"]
    assert set(configuration["SuppressionOptions"]["SuppressedReasons"]) == {"BOUNCE", "COMPLAINT"}
    destination = translated.resources["EmailEventMetrics"]["Properties"]
    assert destination["ConfigurationSetName"] == {"Ref": "EmailConfigurationSet"}
    events = set(destination["EventDestination"]["MatchingEventTypes"])
    assert {"bounce", "complaint"} <= events
    worker = translated.resources["WorkerFunction"]["Properties"]["Environment"]["Variables"]
    assert worker["EMAIL_CONFIGURATION_SET"] == {"Ref": "EmailConfigurationSet"}


def test_no_parameter_defaults_to_allowing_everyone(translated: Translated) -> None:
    origin = translated.parameters["UploadAllowedOrigin"]
    assert origin["Default"] == ""
    assert not re.fullmatch(origin["AllowedPattern"], "*")
    assert re.fullmatch(origin["AllowedPattern"], "https://app.example.com")
    assert "Default" not in translated.parameters["SenderEmail"]


#: Each limit the API holds every user to: its parameter, and the API's variable of it.
USER_LIMITS = {
    "EmailsPerRecipientPerDay": "EMAILS_PER_RECIPIENT_PER_DAY",
    "UploadBytesPerUserPerDay": "UPLOAD_BYTES_PER_USER_PER_DAY",
    "DatasetsPerUserPerDay": "DATASETS_PER_USER_PER_DAY",
    "ItemsPerUserPerDay": "ITEMS_PER_USER_PER_DAY",
    "UserWriteRateLimit": "USER_WRITE_RATE_LIMIT",
    "UserWriteBurstLimit": "USER_WRITE_BURST_LIMIT",
}


@pytest.mark.parametrize("parameter", sorted(USER_LIMITS))
def test_each_user_limit_reaches_the_api_and_is_bounded(
    translated: Translated, defaults: dict[str, str], parameter: str
) -> None:
    variables = translated.resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    variable = USER_LIMITS[parameter]
    spec = translated.parameters[parameter]
    assert variables[variable] == {"Ref": parameter}
    # Zero would refuse everything, and no limit at all is no protection: both ends are bounded
    assert float(spec["MinValue"]) > 0
    for value in boundary_values(parameter, spec):
        environment = {variable: render(variables[variable], defaults | {parameter: value})}
        # Each value a deploy may choose is one the API reads as it is
        read = getattr(Settings.model_validate(environment), variable)
        assert read == float(value), (parameter, value, read)


def test_by_default_no_user_alone_takes_a_sensitive_routes_throttle(
    translated: Translated, defaults: dict[str, str]
) -> None:
    # The stage's throttle of a route is shared by every caller. One user's steady rate is
    # below the route's, so its refill is mostly the others'; and one user's most at once (two
    # bursts, around the edge of a window) is no more than the route's bucket holds.
    route = stage(translated)["RouteSettings"]["POST /register"]
    shared_rate = as_int(route["ThrottlingRateLimit"], defaults, "ThrottlingRateLimit")
    shared_burst = as_int(route["ThrottlingBurstLimit"], defaults, "ThrottlingBurstLimit")

    assert float(defaults["UserWriteRateLimit"]) < shared_rate
    assert 2 * int(defaults["UserWriteBurstLimit"]) <= shared_burst


def test_admins_have_mfa_on_offer_and_the_api_knows_the_pool_to_re_check_them_with(
    translated: Translated, defaults: dict[str, str]
) -> None:
    pool = translated.resources["UserPool"]["Properties"]
    # TOTP on offer to everyone, required of admins by the API (app/admins.py)
    assert pool["MfaConfiguration"] == "OPTIONAL"
    assert pool["EnabledMfas"] == ["SOFTWARE_TOKEN_MFA"]
    # No remembered devices: a user with TOTP on is challenged at every sign-in
    assert "DeviceConfiguration" not in pool
    variables = translated.resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert resolve(variables, defaults, translated)["USER_POOL_ID"] == "<UserPool>"
    # Another issuer: no pool to re-check with, so no variable (and no admin powers)
    other = defaults | {"AuthIssuerUrl": "https://issuer.example.com", "AuthAudience": "c"}
    assert "USER_POOL_ID" not in resolve(variables, other, translated)


@pytest.mark.parametrize(
    ("mode", "tier"), [("OFF", "ESSENTIALS"), ("AUDIT", "PLUS"), ("ENFORCED", "PLUS")]
)
def test_threat_protection_is_a_parameter_with_the_plan_it_needs(
    translated: Translated, defaults: dict[str, str], mode: str, tier: str
) -> None:
    pool = translated.resources["UserPool"]["Properties"]
    chosen = defaults | {"ThreatProtection": mode}

    assert resolve(pool["UserPoolAddOns"], chosen, translated) == {"AdvancedSecurityMode": mode}
    assert resolve(pool["UserPoolTier"], chosen, translated) == tier


def test_threat_protection_is_off_by_default_and_states_its_cost(translated: Translated) -> None:
    spec = translated.parameters["ThreatProtection"]

    assert spec["Default"] == "OFF"
    assert spec["AllowedValues"] == ["OFF", "AUDIT", "ENFORCED"]
    # The price per monthly active user of the plan it needs, and where it came from
    description = " ".join(spec["Description"].split())
    assert "USD 0.020 per MAU with no free tier" in description
    assert "us-east-1" in description


def test_with_self_sign_up_cognito_emails_through_the_stacks_ses_identity(
    translated: Translated, defaults: dict[str, str]
) -> None:
    pool = translated.resources["UserPool"]["Properties"]
    self_sign_up = defaults | {"SelfSignUp": "true"}

    configuration = resolve(pool["EmailConfiguration"], self_sign_up, translated)

    assert configuration == {
        "EmailSendingAccount": "DEVELOPER",
        # The stack's identity (its Ref is the address), so the pool is created after it
        "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/<SenderIdentity>",
        "From": "sender@example.com",
        "ConfigurationSet": "<EmailConfigurationSet>",
    }
    # An identity made outside the stack is named by its address
    outside = self_sign_up | {"CreateSenderIdentity": "false"}
    assert resolve(pool["EmailConfiguration"], outside, translated)["SourceArn"] == (
        "arn:aws:ses:us-east-1:123456789012:identity/sender@example.com"
    )


def test_without_self_sign_up_cognito_keeps_its_own_sender(
    translated: Translated, defaults: dict[str, str]
) -> None:
    pool = translated.resources["UserPool"]["Properties"]
    assert defaults["SelfSignUp"] == "false"

    assert "EmailConfiguration" not in resolve(pool, defaults, translated)


def test_the_upload_quota_reaches_the_heavy_worker(translated: Translated) -> None:
    # It counts each object after a file's first, as it takes the object up
    function = translated.resources["HeavyWorkerFunction"]["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["UPLOAD_BYTES_PER_USER_PER_DAY"] == {"Ref": "UploadBytesPerUserPerDay"}
