from __future__ import annotations

from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from offload import Backoff
from offload.retry import MAX_VISIBILITY_SECONDS, SqsVisibility, queue_url
from tests.conftest import load_event


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 2), (2, 4), (3, 8), (9, 300), (50, 300)])
def test_backoff_is_capped_exponential_with_full_jitter(attempt: int, ceiling: int) -> None:
    backoff = Backoff(base_seconds=2, cap_seconds=300)

    assert backoff.delay(attempt, rand=lambda: 1.0) == ceiling
    assert backoff.delay(attempt, rand=lambda: 0.0) == 1  # never zero
    assert 1 <= backoff.delay(attempt) <= ceiling


def test_backoff_never_exceeds_what_sqs_accepts() -> None:
    assert Backoff(base_seconds=3600, cap_seconds=10**9).delay(30, rand=lambda: 1.0) == (
        MAX_VISIBILITY_SECONDS
    )


def test_queue_url_from_arn() -> None:
    assert queue_url("arn:aws:sqs:eu-west-1:123456789012:app-TaskQueue-x") == (
        "https://sqs.eu-west-1.amazonaws.com/123456789012/app-TaskQueue-x"
    )
    assert queue_url("arn:aws-cn:sqs:cn-north-1:1:q").startswith(
        "https://sqs.cn-north-1.amazonaws.com.cn/"
    )


def test_a_delay_changes_the_visibility_of_the_message_received(aws: Any) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="tasks")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sqs.send_message(QueueUrl=url, MessageBody="{}")
    [message] = sqs.receive_message(QueueUrl=url, VisibilityTimeout=600)["Messages"]
    event = load_event("worker_send_email")["Records"][0]
    record = SQSRecord(
        event | {"receiptHandle": message["ReceiptHandle"], "eventSourceARN": arn["QueueArn"]}
    )

    SqsVisibility(lambda: sqs).delay(record, 0)

    # Visible again at once, instead of in ten minutes.
    again = sqs.receive_message(QueueUrl=url)["Messages"]
    assert [m["MessageId"] for m in again] == [message["MessageId"]]
