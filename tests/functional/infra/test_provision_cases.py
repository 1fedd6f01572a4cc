"""Provisioning cases beyond template.yaml: conditions, refusals, notifications."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

from infra.aws import AwsEndpoint
from infra.errors import UnsupportedResourceError
from infra.provision import provision
from infra.stack import Stack
from infra.template import DEFAULT_TEMPLATE, translate
from tests.functional.infra.conftest import eventually


def queue_attributes(aws: AwsEndpoint, url: str) -> dict[str, str]:
    attributes: dict[str, str] = aws.client("sqs").get_queue_attributes(
        QueueUrl=url, AttributeNames=["All"]
    )["Attributes"]
    return attributes


def test_a_false_condition_skips_the_sender_identity(aws: AwsEndpoint) -> None:
    overrides = {"CreateSenderIdentity": "false"}
    stack = Stack.from_template(translate(DEFAULT_TEMPLATE, overrides), overrides)

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
            Type: AWS::SNS::Topic
        """
    )
    stack = Stack.from_template(translate(path))

    with pytest.raises(UnsupportedResourceError, match=r"Alerts: resource type AWS::SNS::Topic"):
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
