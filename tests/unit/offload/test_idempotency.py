"""Idempotency on the task's own row (Powertools, offload.idempotency), over in-memory rows with
the rules of the DynamoDB ones: once per id, a lock while a run is in progress, and that lock
expiring with the invocation that took it.

Every case runs under Python's default warning filters: Powertools only warns when it has no
Lambda context, and pytest's `filterwarnings = error` must not be what makes these pass.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, cast

import pytest
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from offload import Envelope, TaskRegistry, current_task
from offload.consumer import TaskConsumer
from offload.context import TaskContext, running
from offload.hooks import Hooks, IdempotencyHook, RecordHook
from offload.idempotency import Idempotency, TaskRecordPersistence
from offload.pipeline import TaskPipeline
from offload.testing import InMemoryTaskRecords
from tests.conftest import load_event, make_context


@pytest.fixture(autouse=True)
def default_warning_filters() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.resetwarnings()
        warnings.simplefilter("default")
        yield


@pytest.fixture
def records() -> InMemoryTaskRecords:
    return InMemoryTaskRecords(lambda: datetime.now(UTC))


def now_ms() -> int:
    return int(time.time() * 1000)


def context(task_id: str = "t1") -> TaskContext:
    return TaskContext(
        id=task_id, name="n", attempt=1, enqueued_at=datetime.now(UTC), correlation_id=None
    )


def registered(records: InMemoryTaskRecords, remaining_ms: int = 30_000) -> Idempotency:
    idempotency = Idempotency(records, expires_after_seconds=3600)
    idempotency.register_context(make_context(remaining_millis=remaining_ms))
    return idempotency


class Ran:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> None:
        self.count += 1


def run_as_task(idempotency: Idempotency, task_id: str, effect: Callable[[], None]) -> str:
    with running(context(task_id)):
        return idempotency.run(task_id, effect)


def test_the_consumer_gives_each_run_a_lock_that_ends_with_its_invocation(
    records: InMemoryTaskRecords,
) -> None:
    registry = TaskRegistry()
    seen: dict[str, Any] = {}

    @registry.task("look")
    def look() -> None:
        seen.update(records.row(current_task().id) or {})

    idempotency = Idempotency(records, expires_after_seconds=3600)
    hooks = Hooks([IdempotencyHook(idempotency), RecordHook(records)])
    # No dead letter or redelivery delay here: the task succeeds.
    unused = cast("Any", None)
    consumer = TaskConsumer(TaskPipeline(registry, hooks), unused, unused, idempotency=idempotency)
    envelope = Envelope(task="look")
    event = load_event("worker_send_email")
    event["Records"][0]["body"] = envelope.to_body()

    before = now_ms()
    response = consumer.handle(event, make_context(remaining_millis=42_000))

    assert response == {"batchItemFailures": []}
    assert seen["status"] == "running"
    # The invocation's deadline: a crashed run's lock expires when its invocation would have.
    assert before + 42_000 <= seen["lock_until"] <= now_ms() + 42_000
    row = records.row(envelope.id)
    assert row is not None
    assert row["status"] == "succeeded"
    assert "lock_until" not in row


def test_without_a_lambda_context_no_lock_is_taken(records: InMemoryTaskRecords) -> None:
    effect = Ran()

    # Refused loudly (Powertools wraps what the persistence layer raised), not only warned of.
    with (
        pytest.warns(UserWarning, match="register_lambda_context"),
        pytest.raises(
            IdempotencyPersistenceLayerError,
            match=r"\(no Lambda context registered: the lock could never expire\)$",
        ),
    ):
        run_as_task(Idempotency(records, expires_after_seconds=3600), "t1", effect)

    assert effect.count == 0
    assert records.row("t1") is None


def test_a_run_is_done_once_per_task_id(records: InMemoryTaskRecords) -> None:
    idempotency, effect = registered(records), Ran()

    assert run_as_task(idempotency, "t1", effect) == "ran"
    assert run_as_task(idempotency, "t1", effect) == "done"
    assert run_as_task(idempotency, "t2", effect) == "ran"

    assert effect.count == 2
    row = records.row("t1")
    assert row is not None
    assert (row["status"], row["attempts"], json.loads(row["response"])) == (
        "succeeded",
        1,
        {"done": True},
    )
    assert row["duration_ms"] >= 0


def test_a_run_in_progress_elsewhere_is_not_run_again(records: InMemoryTaskRecords) -> None:
    idempotency, effect = registered(records), Ran()
    records.start(context("t1"), lock_until_ms=now_ms() + 60_000)

    with pytest.raises(IdempotencyAlreadyInProgressError):
        run_as_task(idempotency, "t1", effect)

    assert effect.count == 0


def test_a_lock_that_expired_is_taken_over(records: InMemoryTaskRecords) -> None:
    idempotency, effect = registered(records), Ran()
    records.start(context("t1"), lock_until_ms=now_ms() - 1)

    assert run_as_task(idempotency, "t1", effect) == "ran"
    assert effect.count == 1


def test_a_cancelled_task_is_not_run(records: InMemoryTaskRecords) -> None:
    idempotency, effect = registered(records), Ran()
    envelope = Envelope(task="n")
    records.queued([envelope])
    records.cancel([envelope.id])

    assert run_as_task(idempotency, envelope.id, effect) == "cancelled"
    assert effect.count == 0


@pytest.mark.parametrize("status", ["retrying", "failed", "dead_lettered"])
def test_a_task_that_did_not_succeed_runs_again(records: InMemoryTaskRecords, status: Any) -> None:
    from offload.reasons import TEMPORARY_ERROR

    idempotency, effect = registered(records), Ran()
    records.finish(context("t1"), status, TEMPORARY_ERROR)

    assert run_as_task(idempotency, "t1", effect) == "ran"
    assert effect.count == 1


def test_an_effect_that_raises_leaves_the_lock_for_the_outcome_to_release(
    records: InMemoryTaskRecords,
) -> None:
    idempotency = registered(records)

    def fails() -> None:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        run_as_task(idempotency, "t1", fails)

    row = records.row("t1")
    assert row is not None
    assert row["status"] == "running"


def test_the_key_is_the_running_tasks_own_id(records: InMemoryTaskRecords) -> None:
    idempotency = registered(records)

    with (
        running(context("other")),
        pytest.raises(
            IdempotencyPersistenceLayerError,
            match=r"\(the idempotency key is not the running task's id\)$",
        ),
    ):
        idempotency.run("t1", Ran())


LOCK = 1_764_590_000_000


@pytest.mark.parametrize(
    ("row", "status", "expiry", "response"),
    [
        ({"status": "running", "lock_until": LOCK}, "INPROGRESS", LOCK, ""),
        # A lock never written is no lock: long expired.
        ({"status": "running"}, "INPROGRESS", 0, ""),
        (
            {"status": "succeeded", "response": '{"done": true}'},
            "COMPLETED",
            None,
            '{"done": true}',
        ),
        ({"status": "succeeded"}, "COMPLETED", None, "{}"),
        ({"status": "cancelled"}, "COMPLETED", None, '{"cancelled": true}'),
    ],
)
def test_a_row_is_the_record_powertools_reads(
    records: InMemoryTaskRecords,
    row: dict[str, Any],
    status: str,
    expiry: int | None,
    response: str | None,
) -> None:
    records.rows["t1"] = {"task_id": "t1", **row}

    record = TaskRecordPersistence(records)._get_record("TASK#t1")

    assert (record.idempotency_key, record.status) == ("TASK#t1", status)
    assert (record.in_progress_expiry_timestamp, record.response_data) == (expiry, response)


@pytest.mark.parametrize("status", [None, "queued", "retrying", "failed"])
def test_a_row_not_running_nor_done_is_no_record(
    records: InMemoryTaskRecords, status: str | None
) -> None:
    if status is not None:
        records.rows["t1"] = {"task_id": "t1", "status": status}

    with pytest.raises(IdempotencyItemNotFoundError):
        TaskRecordPersistence(records)._get_record("TASK#t1")


def test_a_refused_start_tells_powertools_the_record_that_holds_the_task(
    records: InMemoryTaskRecords,
) -> None:
    records.start(context("t1"), lock_until_ms=now_ms() + 60_000)
    lock = records.rows["t1"]["lock_until"]
    record = DataRecord("TASK#t1", status="INPROGRESS", in_progress_expiry_timestamp=lock + 1)

    with running(context("t1")), pytest.raises(IdempotencyItemAlreadyExistsError) as caught:
        TaskRecordPersistence(records)._put_record(record)

    held = caught.value.old_data_record
    assert held is not None
    assert (held.idempotency_key, held.status, held.in_progress_expiry_timestamp) == (
        "TASK#t1",
        "INPROGRESS",
        lock,
    )


def test_a_key_of_another_kind_is_refused(records: InMemoryTaskRecords) -> None:
    persistence = TaskRecordPersistence(records)

    with pytest.raises(ValueError, match="not a task key"):
        persistence._get_record("ITEM#t1")


def test_the_record_expires_as_configured(records: InMemoryTaskRecords) -> None:
    assert Idempotency(records, expires_after_seconds=lambda: 99).config.expires_after_seconds == 99
    assert Idempotency(records, expires_after_seconds=7).config.expires_after_seconds == 7
