"""offload.testing's in-memory task rows keep the rules of the DynamoDB ones (offload.records):
each case runs against both, so the test kit cannot drift from what the worker does on AWS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from offload import Envelope
from offload.context import TaskContext
from offload.reasons import TEMPORARY_ERROR
from offload.records import NotScheduledError, StartRefusedError, TaskRecords
from offload.testing import InMemoryTaskRecords
from tests.moto_aws import IN_PROCESS, table_name, use_fake_credentials

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["dynamodb", "memory"])
def records(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TaskRecords, Clock]]:
    clock = Clock()
    if request.param == "memory":
        yield InMemoryTaskRecords(clock), clock
        return
    use_fake_credentials(monkeypatch)
    with IN_PROCESS.running() as deployment:
        client = deployment.aws.client("dynamodb")
        yield TaskRecords(table_name(deployment), lambda: client, clock=clock), clock


def context(envelope: Envelope, attempt: int = 1) -> TaskContext:
    return TaskContext.of(envelope, attempt)


Records = tuple[TaskRecords, Clock]
LOCK = int((NOW + timedelta(seconds=30)).timestamp() * 1000)


def test_queued_runs_and_succeeds_once(records: Records) -> None:
    rows, _ = records
    envelope = Envelope(task="t", owner="u1")
    rows.queued([envelope])
    assert rows.get(envelope.id).status == "queued"  # type: ignore[union-attr]
    rows.start(context(envelope), LOCK)
    rows.succeed(envelope.id, "{}", 5.0)
    found = rows.get(envelope.id)
    assert found is not None
    assert (found.status, found.attempts, found.owner) == (
        "succeeded",
        1,
        "u1",
    )
    with pytest.raises(StartRefusedError) as refused:
        rows.start(context(envelope, 2), LOCK)
    assert refused.value.status == "succeeded"


def test_a_held_lock_refuses_a_second_start_until_it_expires(records: Records) -> None:
    rows, clock = records
    envelope = Envelope(task="t")
    rows.queued([envelope])
    rows.start(context(envelope), LOCK)
    with pytest.raises(StartRefusedError):
        rows.start(context(envelope, 2), LOCK)
    clock.now = NOW + timedelta(seconds=31)
    rows.start(context(envelope, 2), LOCK + 60_000)
    assert rows.get(envelope.id).attempts == 2  # type: ignore[union-attr]


def test_a_scheduled_task_starts_when_it_arrives_and_cannot_then_be_unscheduled(
    records: Records,
) -> None:
    rows, _ = records
    envelope = Envelope(task="t", due_at=NOW + timedelta(hours=2))
    rows.queued([envelope])
    found = rows.get(envelope.id)
    assert found is not None
    assert (found.status, found.due_at) == ("scheduled", envelope.due_at)
    rows.start(context(envelope), LOCK)
    with pytest.raises(NotScheduledError) as refused:
        rows.unschedule(envelope.id)
    assert refused.value.status == "running"


def test_an_unscheduled_task_is_cancelled_and_refuses_to_start(records: Records) -> None:
    rows, _ = records
    envelope = Envelope(task="t", due_at=NOW + timedelta(hours=2))
    rows.queued([envelope])
    rows.unschedule(envelope.id)
    found = rows.get(envelope.id)
    assert found is not None
    assert found.status == "cancelled"
    assert found.reason is not None
    with pytest.raises(StartRefusedError) as refused:
        rows.start(context(envelope), LOCK)
    assert refused.value.status == "cancelled"
    with pytest.raises(NotScheduledError):
        rows.unschedule("no-such-task")


def test_a_refused_request_cancels_queued_and_scheduled_rows(records: Records) -> None:
    rows, _ = records
    now, later = Envelope(task="t"), Envelope(task="t", due_at=NOW + timedelta(hours=1))
    rows.queued([now, later])
    rows.cancel([now.id, later.id])
    assert {rows.get(e.id).status for e in (now, later)} == {"cancelled"}  # type: ignore[union-attr]
    rows.discard([now.id])
    assert rows.get(now.id) is None


def test_an_outcome_fills_in_a_row_no_api_wrote(records: Records) -> None:
    rows, _ = records
    envelope = Envelope(task="t", owner="u2")
    rows.finish(context(envelope), "retrying", TEMPORARY_ERROR)
    found = rows.get(envelope.id)
    assert found is not None
    assert (found.status, found.task, found.owner, found.reason) == (
        "retrying",
        "t",
        "u2",
        TEMPORARY_ERROR,
    )
    row = rows.row(envelope.id)
    assert row is not None
    assert "lock_until" not in row


def test_the_in_memory_rows_override_every_method_of_the_dynamodb_ones() -> None:
    # A method added to TaskRecords and not here would reach for DynamoDB inside a test kit.
    public = {n for n, v in vars(TaskRecords).items() if callable(v) and not n.startswith("_")}
    assert public <= set(vars(InMemoryTaskRecords))
