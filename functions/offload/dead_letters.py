"""Permanent failures go to the dead-letter queue at once, with the reason attached."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import MessageAttributeValueTypeDef

#: SQS allows 10 message attributes (8 used here); the reason is cut to keep DLQ listings
#: readable.
MAX_REASON_CHARS = 1000


class DeadLetterQueue(Protocol):
    """Receives a record that can never succeed. Raises if it could not keep it."""

    def send(self, record: SQSRecord, reason: str, code: str) -> None: ...


class SqsDeadLetterQueue:
    """Sends the original body to the DLQ; why, when and from where travel as attributes. The
    client is made on the first send."""

    def __init__(self, queue_url: str, client: Callable[[], SQSClient]) -> None:
        self._queue_url = queue_url
        self._client = client

    def send(self, record: SQSRecord, reason: str, code: str) -> None:
        if not self._queue_url:
            # Raising makes the record retryable: SQS's own redrive still keeps it.
            raise RuntimeError("no dead-letter queue is configured")
        self._client().send_message(
            QueueUrl=self._queue_url,
            MessageBody=record.body,
            MessageAttributes=dead_letter_attributes(record, reason, code),
        )


def dead_letter_attributes(
    record: SQSRecord, reason: str, code: str
) -> dict[str, MessageAttributeValueTypeDef]:
    attributes: dict[str, MessageAttributeValueTypeDef] = {
        # The detail is for the operator reading the DLQ; the code is the task's public reason.
        "reason": _string(reason[:MAX_REASON_CHARS] or "unspecified"),
        "reason_code": _string(code),
        "failed_at": _string(datetime.now(UTC).isoformat()),
        "source_message_id": _string(record.message_id),
        "source_queue_arn": _string(record.event_source_arn or "unknown"),
        "receive_count": _number(record.attributes.approximate_receive_count or "1"),
    }
    # The producer's own attributes (task name and id) are kept as they were.
    for name in ("task", "task_id"):
        # Powertools' mapping: indexing gives the wrapper, or None when absent (`.get` would
        # return the raw dict).
        value = record.message_attributes[name]
        if value is not None and value.string_value:
            attributes[name] = _string(value.string_value)
    return attributes


def _string(value: str) -> MessageAttributeValueTypeDef:
    return {"DataType": "String", "StringValue": value}


def _number(value: str) -> MessageAttributeValueTypeDef:
    return {"DataType": "Number", "StringValue": value}
