"""offload.testing's queue: SQS as the worker meets it (records in Lambda's shape, visibility,
receive counts, the redrive), one-time schedules, and a clock the test moves."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

from offload import Envelope
from offload.testing.queue import (
    Clock,
    DeadLetter,
    InMemoryQueue,
    QueueDeadLetters,
    QueueSchedules,
    QueueVisibility,
)

EVENTS = Path(__file__).resolve().parents[3] / "events"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def queue_at(start: datetime | None = None, **options: object) -> InMemoryQueue:
    return InMemoryQueue(Clock(start), **options)  # type: ignore[arg-type]


def put(queue: InMemoryQueue, task_id: str, task: str = "greet") -> None:
    queue.put(f'{{"id":"{task_id}"}}', task, task_id, queue.clock.now())


def test_the_clock_starts_now_and_moves_only_forward() -> None:
    clock = Clock()
    start = clock.now()
    assert start.tzinfo is UTC
    assert abs(datetime.now(UTC) - start) < timedelta(seconds=5)

    assert clock.advance(1.5) == start + timedelta(seconds=1.5)
    assert clock.advance(timedelta(0)) == start + timedelta(seconds=1.5)
    with pytest.raises(ValueError, match=r"^time does not go back$"):
        clock.advance(-1)
    assert clock.now() == start + timedelta(seconds=1.5)


def test_a_record_is_what_lambdas_sqs_event_source_hands_the_worker() -> None:
    # The same message as a real one (`sam local generate-event sqs receive-message`): sent
    # and first received at its times, carrying the producer's attributes (offload/queue.py).
    real = json.loads((EVENTS / "worker_send_email.json").read_text())["Records"][0]
    sent = EPOCH + timedelta(milliseconds=int(real["attributes"]["SentTimestamp"]))
    received = EPOCH + timedelta(
        milliseconds=int(real["attributes"]["ApproximateFirstReceiveTimestamp"])
    )
    queue = queue_at(sent)
    queue.put(real["body"], "send_email", "t1", sent)
    queue.clock.advance(received - sent)
    [message] = queue.receive(10)
    first_receipt = message.receipt
    queue.clock.advance(queue.visibility_timeout)
    [again] = queue.receive(10)

    record = again.record()

    assert record.keys() == real.keys()
    assert record["attributes"].keys() == real["attributes"].keys()
    same = ("body", "md5OfBody", "eventSource", "awsRegion")
    assert {k: record[k] for k in same} == {k: real[k] for k in same}
    for name in ("SentTimestamp", "ApproximateFirstReceiveTimestamp"):
        assert record["attributes"][name] == real["attributes"][name]
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert record["messageId"] == message.message_id
    assert record["receiptHandle"] == again.receipt != first_receipt
    assert record["eventSourceARN"].split(":")[3] == record["awsRegion"]
    # Each String attribute as Lambda gives it (every list field present).
    assert record["messageAttributes"] == {
        name: {
            "stringValue": value,
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        }
        for name, value in (("task", "send_email"), ("task_id", "t1"))
    }
    SqsRecordModel.model_validate(record)


def test_a_message_is_hidden_for_the_visibility_timeout_after_each_receive() -> None:
    queue = queue_at(visibility_timeout=timedelta(seconds=60))
    put(queue, "a")

    [first] = queue.receive(10)
    assert first.receive_count == 1
    assert queue.receive(10) == []
    queue.clock.advance(59)
    assert queue.receive(10) == []
    queue.clock.advance(1)
    [second] = queue.receive(10)
    assert second is first
    assert second.receive_count == 2


def test_a_receive_takes_at_most_max_messages_in_the_order_they_become_visible() -> None:
    queue = queue_at()
    now = queue.clock.now()
    queue.put("late", "greet", "late", now + timedelta(seconds=5))
    put(queue, "a")
    put(queue, "b")
    put(queue, "c")

    assert [m.task_id for m in queue.receive(2)] == ["a", "b"]
    assert [m.task_id for m in queue.receive(2)] == ["c"]
    queue.clock.advance(5)
    assert [m.task_id for m in queue.receive(2)] == ["late"]


def test_past_max_receive_count_a_message_is_redriven_without_a_reason() -> None:
    queue = queue_at(visibility_timeout=timedelta(seconds=1), max_receive_count=2)
    put(queue, "a")
    for _ in range(2):
        queue.receive(10)
        queue.clock.advance(1)
    put(queue, "b")

    # a has had its two deliveries: the redrive takes it, the batch goes on with b.
    assert [m.task_id for m in queue.receive(10)] == ["b"]
    assert queue.dead_letters == [DeadLetter('{"id":"a"}', "a", None, None)]
    assert [m.task_id for m in queue.messages] == ["b"]


def test_each_delivery_gets_its_own_receipt_and_a_delay_moves_only_that_one() -> None:
    queue = queue_at(visibility_timeout=timedelta(seconds=300))
    put(queue, "a")
    put(queue, "b")
    a, b = queue.receive(10)
    assert "" != a.receipt != b.receipt != ""

    QueueVisibility(queue).delay(SQSRecord(a.record()), 10)

    assert a.visible_at == queue.clock.now() + timedelta(seconds=10)
    assert b.visible_at == queue.clock.now() + timedelta(seconds=300)


def test_the_workers_dead_letters_keep_the_body_task_id_reason_and_code() -> None:
    queue = queue_at()
    put(queue, "a")
    [message] = queue.receive(10)

    QueueDeadLetters(queue).send(SQSRecord(message.record()), "ValueError: no", "permanent_error")

    assert queue.dead_letters == [
        DeadLetter('{"id":"a"}', "a", "ValueError: no", "permanent_error")
    ]


def test_a_duplicated_task_is_put_twice_as_many_times_as_asked() -> None:
    queue = queue_at()
    queue.duplicates = {"greet": 2, "x3": 1}
    for task_id in ("x1", "x2", "x3", "x4"):
        put(queue, task_id)

    assert [m.task_id for m in queue.messages] == ["x1", "x1", "x2", "x2", "x3", "x3", "x4"]
    assert {m.task for m in queue.messages} == {"greet"}
    # As SQS would, each copy is a message of its own.
    assert len({m.message_id for m in queue.messages}) == 7
    assert queue.duplicates == {"greet": 0, "x3": 0}


def test_a_task_too_far_ahead_for_sqs_waits_as_a_schedule_that_delete_takes_back() -> None:
    queue = queue_at()
    schedules = QueueSchedules(queue)
    now = queue.clock.now()
    soon = Envelope(task="greet", due_at=now + timedelta(minutes=15))
    later = Envelope(task="greet", due_at=now + timedelta(hours=2))
    cancelled = Envelope(task="greet", due_at=now + timedelta(hours=2))
    # Which wait where was decided when they were added (offload.producer).
    queue.send([soon])
    schedules.send([later, cancelled])
    assert queue.schedules == {later.id, cancelled.id}

    schedules.delete(cancelled.id)
    schedules.delete(soon.id)  # on the queue already: SQS has no taking back

    assert queue.next_visible() == now + timedelta(minutes=15)
    queue.clock.advance(timedelta(hours=2))
    assert [m.task_id for m in queue.receive(10)] == [soon.id, later.id]
    # Delivered: no schedule is left to delete.
    assert queue.schedules == set()
