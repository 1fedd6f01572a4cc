"""What a queue message is. One queue may carry task envelopes, S3 notifications and S3's test
event; like Mangum's adapter, the first reader whose `matches` says yes turns the message into
the envelope of the task to run (or into nothing to run: acknowledged). An application adds its
own readers (the sample application reads its bucket's notifications as upload tasks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from offload.envelope import Envelope
from offload.exceptions import EnvelopeError

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord


@dataclass(frozen=True)
class Message:
    """A delivered SQS record with its body parsed once."""

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


class MessageReader(Protocol):
    """One kind of message. `envelope` raises PermanentTaskError for one that can never run."""

    def matches(self, message: Message) -> bool: ...

    def envelope(self, message: Message) -> Envelope | None: ...


class EnvelopeReader:
    """Task envelopes: a JSON object with a version field `v`."""

    def matches(self, message: Message) -> bool:
        return isinstance(message.body, dict) and "v" in message.body

    def envelope(self, message: Message) -> Envelope:
        return Envelope.from_data(message.body)


class S3TestEventReader:
    """S3 sends `s3:TestEvent` once when a bucket notification is configured: acknowledge it."""

    def matches(self, message: Message) -> bool:
        return isinstance(message.body, dict) and message.body.get("Event") == "s3:TestEvent"

    def envelope(self, message: Message) -> None:
        return None
