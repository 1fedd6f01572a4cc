"""What a queue message is. One queue carries task envelopes, S3 notifications and S3's test
event; like Mangum's adapter, the first route whose `matches` says yes handles the message."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from offload.exceptions import EnvelopeError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass(frozen=True)
class Message:
    """A queue record with its body parsed once."""

    record: SQSRecord
    body: Any

    @property
    def message_id(self) -> str:
        return self.record.message_id

    @property
    def receive_count(self) -> int:
        return int(self.record.attributes.approximate_receive_count or 1)

    @classmethod
    def parse(cls, record: SQSRecord) -> Message:
        try:
            body = json.loads(record.body)
        except (TypeError, ValueError) as exc:
            raise EnvelopeError(f"body is not JSON: {exc}") from None
        return cls(record=record, body=body)


class Route(Protocol):
    """Handles one kind of message. Raising PermanentTaskError sends it to the DLQ; any other
    exception makes it retryable."""

    name: str

    def matches(self, message: Message) -> bool: ...

    def handle(self, message: Message) -> None: ...


class S3TestEventRoute:
    """S3 sends `s3:TestEvent` once when a bucket notification is configured: acknowledge it."""

    name = "s3_test_event"

    def matches(self, message: Message) -> bool:
        return isinstance(message.body, dict) and message.body.get("Event") == "s3:TestEvent"

    def handle(self, message: Message) -> None:
        return None
