"""Provisioning cases beyond template.yaml: conditions, refusals, notifications."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.errors import ParameterError, UnsupportedResourceError
from offload_local.provision import provision
from offload_local.template.stack import Stack
from offload_local.template.translation import translate
from tests.functional.offload_local.conftest import eventually
from tests.repository import TEMPLATE


def queue_attributes(aws: AwsEndpoint, url: str) -> dict[str, str]:
    attributes: dict[str, str] = aws.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
    return attributes


def test_a_false_condition_skips_the_sender_identity(aws: AwsEndpoint) -> None:
    overrides = {"CreateSenderIdentity": "false"}
    stack = Stack.from_template(translate(TEMPLATE, overrides), overrides)

    deployment = provision(stack, aws)

    assert "SenderIdentity" not in deployment.registry
    assert aws.client("sesv2").list_email_identities()["EmailIdentities"] == []


def test_an_unsupported_type_stops_before_anything_is_created(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    path = write_template(
        """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
          Alerts:
            Type: AWS::Kinesis::Stream
        """
    )
    stack = Stack.from_template(translate(path))

    with pytest.raises(
        UnsupportedResourceError, match=r"Alerts: resource type AWS::Kinesis::Stream"
    ):
        provision(stack, aws)

    assert aws.client("sqs").list_queues().get("QueueUrls", []) == []


def test_bucket_notifications_reach_the_queue(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    path = write_template(
        """
        Resources:
          Uploads:
            Type: AWS::SQS::Queue
          UploadsPolicy:
            Type: AWS::SQS::QueuePolicy
            Properties:
              Queues: [!Ref Uploads]
              PolicyDocument:
                Version: "2012-10-17"
                Statement:
                  - Effect: Allow
                    Principal: {Service: s3.amazonaws.com}
                    Action: sqs:SendMessage
                    Resource: !GetAtt Uploads.Arn
          Bucket:
            Type: AWS::S3::Bucket
            DependsOn: UploadsPolicy
            Properties:
              PublicAccessBlockConfiguration:
                BlockPublicAcls: true
                BlockPublicPolicy: true
                IgnorePublicAcls: true
                RestrictPublicBuckets: true
              NotificationConfiguration:
                QueueConfigurations:
                  - Event: s3:ObjectCreated:*
                    Queue: !GetAtt Uploads.Arn
                    Filter:
                      S3Key:
                        Rules:
                          - Name: prefix
                            Value: uploads/
        """
    )
    deployment = provision(Stack.from_template(translate(path)), aws)
    bucket = deployment.registry.ref("Bucket")
    url = deployment.queues()["Uploads"]
    s3, sqs = aws.client("s3"), aws.client("sqs")

    s3.put_object(Bucket=bucket, Key="uploads/a b.png", Body=b"x")
    s3.put_object(Bucket=bucket, Key="elsewhere/c.png", Body=b"x")

    assert bucket == "local-bucket"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert block["BlockPublicAcls"] is True
    policy = queue_attributes(aws, url)["Policy"]
    assert json.loads(policy)["Statement"][0]["Principal"] == {"Service": "s3.amazonaws.com"}

    def object_created_keys() -> list[str]:
        """an ObjectCreated record on the queue"""
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        keys = []
        for message in messages:
            for record in json.loads(message["Body"]).get("Records", []):
                keys.append(record["s3"]["object"]["key"])
        return keys

    # moto, like S3, sends keys quote_plus-encoded ('/' included).
    assert [unquote_plus(key) for key in eventually(object_created_keys)] == ["uploads/a b.png"]


def test_sender_email_has_a_local_value_that_an_override_replaces(aws: AwsEndpoint) -> None:
    overrides = {"SenderEmail": "team@example.org"}
    defaults = Stack.from_template(translate(TEMPLATE))
    stack = Stack.from_template(translate(TEMPLATE, overrides), overrides)

    deployment = provision(stack, aws)

    # The template gives SenderEmail no default: the local cloud supplies one.
    assert defaults.parameters["SenderEmail"] == "no-reply@example.com"
    assert deployment.function("WorkerFunction").variables["SENDER_EMAIL"] == "team@example.org"
    identities = aws.client("sesv2").list_email_identities()["EmailIdentities"]
    assert [i["IdentityName"] for i in identities] == ["team@example.org"]


def test_an_issuer_without_audience_breaks_the_templates_rule() -> None:
    overrides = {"AuthIssuerUrl": "https://login.example.com/"}

    with pytest.raises(ParameterError, match="AuthIssuerUrl and AuthAudience are set together"):
        Stack.from_template(translate(TEMPLATE, overrides), overrides)


def test_an_outside_issuer_replaces_the_user_pool(aws: AwsEndpoint) -> None:
    overrides = {"AuthIssuerUrl": "https://login.example.com/", "AuthAudience": "api"}
    stack = Stack.from_template(translate(TEMPLATE, overrides), overrides)

    deployment = provision(stack, aws)

    (api,) = deployment.http_apis.values()
    (authorizer,) = api.authorizers.values()
    assert (authorizer.issuer, authorizer.audience) == ("https://login.example.com/", ("api",))
    assert not deployment.registry.of_type("AWS::Cognito::UserPool")
    assert aws.client("cognito-idp").list_user_pools(MaxResults=10)["UserPools"] == []


def test_optional_cors_and_alarm_subscription(aws: AwsEndpoint) -> None:
    overrides = {
        "UploadAllowedOrigin": "https://app.example.com",
        "AlarmEmail": "ops@example.com",
    }
    stack = Stack.from_template(translate(TEMPLATE, overrides), overrides)

    deployment = provision(stack, aws)

    bucket = deployment.registry.ref("UploadBucket")
    (cors,) = aws.client("s3").get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert (cors["AllowedOrigins"], cors["AllowedMethods"]) == (
        ["https://app.example.com"],
        ["POST"],
    )
    assert cors["MaxAgeSeconds"] == 3600
    topic = deployment.registry.ref("AlarmTopic")
    (subscription,) = aws.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert (subscription["Protocol"], subscription["Endpoint"]) == ("email", "ops@example.com")
    assert deployment.registry.ref("AlarmEmailSubscription") == subscription["SubscriptionArn"]
    assert "nothing is delivered locally" in str(deployment.registry["AlarmEmailSubscription"].note)


def test_self_sign_up_and_threat_protection_reach_the_user_pool(aws: AwsEndpoint) -> None:
    overrides = {"SelfSignUp": "true", "ThreatProtection": "AUDIT"}
    stack = Stack.from_template(translate(TEMPLATE, overrides), overrides)

    deployment = provision(stack, aws)

    pool = aws.client("cognito-idp").describe_user_pool(
        UserPoolId=deployment.registry.ref("UserPool")
    )["UserPool"]
    # Cognito's own emails through the stack's SES identity and configuration set
    assert pool["EmailConfiguration"] == {
        "EmailSendingAccount": "DEVELOPER",
        "SourceArn": "arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com",
        "From": "no-reply@example.com",
        "ConfigurationSet": deployment.registry.ref("EmailConfigurationSet"),
    }
    assert pool["UserPoolAddOns"] == {"AdvancedSecurityMode": "AUDIT"}
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False
