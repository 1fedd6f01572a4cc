"""What makes the deployed stack safe on the public internet, checked on the translated template
(what CloudFormation would create): who may call, how often, what is kept, who is told."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.template.values import as_int, boundary_values

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


EXPECTED_ALARMS = {
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
    ("AWS/Lambda", "Errors"),
    ("AWS/Lambda", "Throttles"),
    ("AWS/SES", "Reputation.BounceRate"),
    ("AWS/SES", "Reputation.ComplaintRate"),
}


def test_every_alarm_tells_the_alarm_topic(translated: Translated) -> None:
    alarms = translated.of_type("AWS::CloudWatch::Alarm")
    watched = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()
    }
    assert watched >= EXPECTED_ALARMS
    for logical, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlarmTopic"}], logical
    subscription = translated.resources["AlarmEmailSubscription"]
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}


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


def test_the_daily_quotas_reach_the_api(translated: Translated) -> None:
    variables = translated.resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables["EMAILS_PER_RECIPIENT_PER_DAY"] == {"Ref": "EmailsPerRecipientPerDay"}
    assert variables["UPLOAD_BYTES_PER_USER_PER_DAY"] == {"Ref": "UploadBytesPerUserPerDay"}


def test_the_upload_quota_reaches_the_heavy_worker(translated: Translated) -> None:
    # It counts each object after a file's first, as it takes the object up
    function = translated.resources["HeavyWorkerFunction"]["Properties"]
    variables = function["Environment"]["Variables"]
    assert variables["UPLOAD_BYTES_PER_USER_PER_DAY"] == {"Ref": "UploadBytesPerUserPerDay"}
