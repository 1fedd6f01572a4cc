"""moto, in-process, set up as template.yaml's resources expect: shared by the functional tests
and the benchmarks that call the handlers directly."""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient

REGION = "us-east-1"


def use_fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, and nothing that could reach a real account."""
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def create_task_queues(
    sqs: SQSClient, max_receive_count: int = 5, visibility_timeout: int = 300, prefix: str = ""
) -> tuple[str, str, str]:
    """TaskQueue with its redrive to DeadLetterQueue (each name after `prefix`: HeavyTaskQueue);
    returns (queue URL, queue ARN, DLQ URL)."""

    def arn(url: str) -> str:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return attributes["Attributes"]["QueueArn"]

    dlq_url = sqs.create_queue(QueueName=f"{prefix}DeadLetterQueue")["QueueUrl"]
    queue_url = sqs.create_queue(
        QueueName=f"{prefix}TaskQueue",
        Attributes={
            "VisibilityTimeout": str(visibility_timeout),
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": arn(dlq_url), "maxReceiveCount": str(max_receive_count)}
            ),
        },
    )["QueueUrl"]
    return queue_url, arn(queue_url), dlq_url


#: The tables of template.yaml, created under their logical ids.
TABLES = ("DataTable",)
#: What CreateTable takes from the template's properties (the same shape in both).
_TABLE_SHAPE = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")


@cache
def _table_definitions() -> dict[str, dict[str, Any]]:
    """Keys and indexes of each table, as template.yaml declares them."""
    from infra.template.translation import translate

    resources = translate().resources
    return {
        name: {k: v for k, v in resources[name]["Properties"].items() if k in _TABLE_SHAPE}
        for name in TABLES
    }


def create_tables(dynamodb: DynamoDBClient) -> None:
    for name, definition in _table_definitions().items():
        dynamodb.create_table(TableName=name, **definition)


def queue_depth(sqs: SQSClient, url: str) -> int:
    """Messages on a queue: visible, in flight or delayed."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())
