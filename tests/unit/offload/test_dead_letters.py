"""offload.dead_letters: a record that can never succeed goes to the DLQ whole, with why, when and
from where as attributes (moto's SQS)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from offload.dead_letters import MAX_REASON_CHARS, SqsDeadLetterQueue
from tests.conftest import load_event


def record(**changes: Any) -> SQSRecord:
    raw = load_event("worker_send_email")["Records"][0] | changes
    return SQSRecord(raw)


def attributes(message: dict[str, Any]) -> dict[str, tuple[str, str]]:
    return {
        name: (value["DataType"], value["StringValue"])
        for name, value in message["MessageAttributes"].items()
    }


def received(sqs: Any, url: str) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", [])
    return messages


def test_the_body_goes_whole_with_its_reason_and_origin(aws: Any) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    original = record(
        attributes={"ApproximateReceiveCount": "4"},
        messageAttributes={
            "task": {"stringValue": "send_email", "dataType": "String"},
            "task_id": {"stringValue": "abc", "dataType": "String"},
        },
    )
    before = datetime.now(UTC)

    SqsDeadLetterQueue(url, lambda: sqs).send(original, "Boom: " + "x" * 2000, "unknown_task")

    [message] = received(sqs, url)
    assert message["Body"] == original.body
    found = attributes(message)
    failed_at = datetime.fromisoformat(found.pop("failed_at")[1])
    assert before <= failed_at <= datetime.now(UTC)
    assert found == {
        "reason": ("String", "Boom: " + "x" * (MAX_REASON_CHARS - 6)),
        "reason_code": ("String", "unknown_task"),
        "source_message_id": ("String", original.message_id),
        "source_queue_arn": ("String", "arn:aws:sqs:us-east-1:123456789012:TaskQueue"),
        "receive_count": ("Number", "4"),
        "task": ("String", "send_email"),
        "task_id": ("String", "abc"),
    }


def test_what_a_record_lacks_is_said_plainly(aws: Any) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    bare = record(eventSourceARN=None, messageAttributes={})

    SqsDeadLetterQueue(url, lambda: sqs).send(bare, "", "invalid_envelope")

    found = attributes(received(sqs, url)[0])
    assert found["reason"] == ("String", "unspecified")
    assert found["source_queue_arn"] == ("String", "unknown")
    assert found["receive_count"] == ("Number", "1")
    assert "task" not in found
    assert "task_id" not in found


def test_without_a_dead_letter_queue_the_record_is_kept_by_raising(aws: Any) -> None:
    with pytest.raises(RuntimeError, match="no dead-letter queue"):
        SqsDeadLetterQueue("", lambda: aws("sqs")).send(record(), "why", "code")
