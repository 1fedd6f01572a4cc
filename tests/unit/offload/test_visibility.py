"""offload.visibility: a retry's backoff is the delivered message's visibility timeout."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from offload.visibility import SqsVisibility, queue_url
from tests.conftest import load_event


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
