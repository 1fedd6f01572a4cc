"""An SQS queue in memory, with what the worker relies on: per-message delays (and one-time
schedules, which are delays too here), visibility timeouts that a failed record's backoff
changes, receive counts, and the redrive to a dead-letter list after `max_receive_count`
deliveries. Time is a clock the test moves. The adapters at the end give it the shapes the
worker's other parts take (dead-letter queue, visibility, one-time schedules)."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    from offload.envelope import Envelope

QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:offload-testing"


class Clock:
    """Time as the test says: starts now, moves only when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, by: timedelta | float) -> datetime:
        """Move forward by a timedelta or a number of seconds; returns the new time."""
        step = by if isinstance(by, timedelta) else timedelta(seconds=by)
        if step < timedelta(0):
            raise ValueError("time does not go back")
        self._now += step
        return self._now


@dataclass
class QueuedMessage:
    """One message on the queue."""

    message_id: str
    body: str
    task: str
    task_id: str
    sent_at: datetime
    visible_at: datetime
    receive_count: int = 0
    receipt: str = ""
    first_received_at: datetime | None = None

    def record(self) -> dict[str, Any]:
        """The message as Lambda's SQS event source hands it to the worker."""
        return {
            "messageId": self.message_id,
            "receiptHandle": self.receipt,
            "body": self.body,
            "attributes": {
                "ApproximateReceiveCount": str(self.receive_count),
                "SentTimestamp": str(int(self.sent_at.timestamp() * 1000)),
                "SenderId": "offload-testing",
                "ApproximateFirstReceiveTimestamp": str(
                    int((self.first_received_at or self.sent_at).timestamp() * 1000)
                ),
            },
            "messageAttributes": {
                name: {
                    "stringValue": value,
                    "stringListValues": [],
                    "binaryListValues": [],
                    "dataType": "String",
                }
                for name, value in (("task", self.task), ("task_id", self.task_id))
            },
            "md5OfBody": hashlib.md5(self.body.encode(), usedforsecurity=False).hexdigest(),
            "eventSource": "aws:sqs",
            "eventSourceARN": QUEUE_ARN,
            "awsRegion": "us-east-1",
        }


@dataclass(frozen=True)
class DeadLetter:
    """A message set aside: by the worker (with its reason) or by the redrive policy (without)."""

    body: str
    task_id: str
    reason: str | None
    code: str | None


@dataclass
class InMemoryQueue:
    """The task queues (every name a task gives maps to this one) of a test."""

    clock: Clock
    visibility_timeout: timedelta = timedelta(seconds=300)
    max_receive_count: int = 5
    messages: list[QueuedMessage] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    #: Task ids whose envelopes wait for a schedule (further ahead than SQS holds them).
    schedules: set[str] = field(default_factory=set)
    #: Task names (or ids) whose next message is delivered twice, with how many copies left.
    duplicates: dict[str, int] = field(default_factory=dict)
    _receipts: itertools.count[int] = field(default_factory=itertools.count)

    # TaskQueue

    def send(self, envelopes: Sequence[Envelope]) -> None:
        now = self.clock.now()
        for envelope in envelopes:
            due = envelope.due_at
            visible = max(now, due) if due is not None else now
            self.put(envelope.to_body(), envelope.task, envelope.id, visible)

    def schedule(self, envelopes: Sequence[Envelope]) -> None:
        """One-time schedules: each envelope goes on the queue when due."""
        self.schedules.update(e.id for e in envelopes)
        self.send(envelopes)

    def unschedule(self, task_id: str) -> None:
        if task_id in self.schedules:
            self.schedules.discard(task_id)
            self.messages = [m for m in self.messages if m.task_id != task_id]

    def put(self, body: str, task: str, task_id: str, visible_at: datetime) -> None:
        copies = 1
        for key in (task, task_id):
            if self.duplicates.get(key):
                self.duplicates[key] -= 1
                copies += 1
        for _ in range(copies):
            self.messages.append(
                QueuedMessage(uuid.uuid4().hex, body, task, task_id, self.clock.now(), visible_at)
            )

    # What Lambda's event source mapping does

    def receive(self, max_messages: int) -> list[QueuedMessage]:
        """Messages visible now, each made invisible for the visibility timeout; those past
        `max_receive_count` go to the dead letters instead, as SQS's redrive does."""
        now = self.clock.now()
        batch: list[QueuedMessage] = []
        for message in sorted(self.messages, key=lambda m: m.visible_at):
            if len(batch) == max_messages or message.visible_at > now:
                break
            self.schedules.discard(message.task_id)
            if message.receive_count >= self.max_receive_count:
                self.messages.remove(message)
                self.dead_letters.append(DeadLetter(message.body, message.task_id, None, None))
                continue
            message.receive_count += 1
            message.first_received_at = message.first_received_at or now
            message.receipt = f"r{next(self._receipts)}"
            message.visible_at = now + self.visibility_timeout
            batch.append(message)
        return batch

    def delete_message(self, message: QueuedMessage) -> None:
        self.messages = [m for m in self.messages if m is not message]

    def next_visible(self) -> datetime | None:
        return min((m.visible_at for m in self.messages), default=None)

    # What the worker's dead letters and backoff need

    def dead_letter(self, record: SQSRecord, reason: str, code: str) -> None:
        task_id = next((m.task_id for m in self.messages if m.message_id == record.message_id), "")
        self.dead_letters.append(DeadLetter(record.body, task_id, reason, code))

    def set_visibility(self, record: SQSRecord, seconds: int) -> None:
        for message in self.messages:
            if message.receipt == record.receipt_handle:
                message.visible_at = self.clock.now() + timedelta(seconds=seconds)


@dataclass(frozen=True)
class QueueDeadLetters:
    """The queue's dead letters as the worker's DeadLetterQueue."""

    queue: InMemoryQueue

    def send(self, record: SQSRecord, reason: str, code: str) -> None:
        self.queue.dead_letter(record, reason, code)


@dataclass(frozen=True)
class QueueVisibility:
    """The queue's visibility timeouts as the worker's Visibility."""

    queue: InMemoryQueue

    def delay(self, record: SQSRecord, seconds: int) -> None:
        self.queue.set_visibility(record, seconds)


@dataclass(frozen=True)
class QueueSchedules:
    """The queue's delayed messages as the API's OneTimeSchedules."""

    queue: InMemoryQueue

    def send(self, envelopes: Sequence[Envelope]) -> None:
        self.queue.schedule(envelopes)

    def delete(self, task_id: str) -> None:
        self.queue.unschedule(task_id)
