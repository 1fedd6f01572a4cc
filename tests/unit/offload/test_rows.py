"""The tasks' rows (offload.rows), their DynamoDB store (moto) and the test kit's in-memory one
side by side: each lifecycle transition (offload.lifecycle) applied by both, the same calls at the
same times leaving the very same rows, field by field."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from offload import Envelope
from offload.context import TaskContext
from offload.dynamodb import Table
from offload.exceptions import NotScheduledError, StartRefusedError
from offload.lifecycle import DEAD_LETTER, FAIL, RETRY
from offload.reasons import RETRIES_EXHAUSTED, TEMPORARY_ERROR, Reason
from offload.rows import DynamoDBTaskRows, TaskRows
from offload.testing import MemoryTaskRows

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
INVALID_DATA = Reason(code="invalid_data", message="The data cannot be used.")
RETENTION = timedelta(days=3)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now

    def tick(self, seconds: float = 1) -> None:
        self.now += timedelta(seconds=seconds)


class Both:
    """Runs each call on both kinds of rows; `rows(id)` says they agree and returns the row."""

    def __init__(self, dynamodb: Any) -> None:
        self.clock = Clock()
        self.stores: list[TaskRows] = [
            DynamoDBTaskRows(Table("DataTable", lambda: dynamodb), RETENTION, self.clock),
            MemoryTaskRows(self.clock, RETENTION),
        ]

    def do(self, call: Callable[[TaskRows], Any]) -> list[Any]:
        results = []
        for store in self.stores:
            try:
                results.append(call(store))
            except (StartRefusedError, NotScheduledError) as exc:
                results.append((type(exc).__name__, exc.status))
        assert results[0] == results[1]
        return results

    def row(self, task_id: str) -> dict[str, Any] | None:
        stored, kept = (store._read(task_id) for store in self.stores)
        if stored is not None:
            # A task's row is keyed as offload.rows documents it.
            assert (stored["pk"], stored["sk"]) == (f"TASK#{task_id}", "STATUS")
            stored = {k: v for k, v in stored.items() if k not in ("pk", "sk")}
        assert stored == kept
        return kept


@pytest.fixture
def both(dynamodb: Any) -> Both:
    return Both(dynamodb)


def context(envelope: Envelope, attempt: int = 1, deadline: datetime | None = None) -> TaskContext:
    return TaskContext.of(envelope, attempt, deadline or NOW + timedelta(seconds=30))


def lock(seconds: int = 30) -> int:
    return int((NOW + timedelta(seconds=seconds)).timestamp() * 1000)


def test_a_task_queued_run_and_succeeded(both: Both) -> None:
    envelope = Envelope(task="t", owner="u1", correlation_id="c1", enqueued_at=NOW)
    both.do(lambda s: s.enqueue([envelope]))
    assert both.row(envelope.id) == {
        "id": envelope.id,
        "task": "t",
        "status": "queued",
        "attempts": 0,
        "enqueued_at": NOW.isoformat(),
        "updated_at": NOW.isoformat(),
        "correlation_id": "c1",
        "owner": "u1",
        "expires_at": int((NOW + RETENTION).timestamp()),
    }
    both.clock.tick()
    both.do(lambda s: s.start(context(envelope)))
    started = both.row(envelope.id)
    assert started is not None
    assert (started["status"], started["attempts"], started["lock_until"]) == (
        "running",
        1,
        lock(),
    )
    assert started["started_at"] == started["updated_at"] == both.clock.now.isoformat()
    both.clock.tick()
    both.do(lambda s: s.succeed(context(envelope), 12.34567))
    done = both.row(envelope.id)
    assert done is not None
    assert (done["status"], done["duration_ms"]) == ("succeeded", 12.346)
    assert "lock_until" not in done
    assert done["expires_at"] == int((both.clock.now + RETENTION).timestamp())
    assert (
        both.do(lambda s: s.start(context(envelope, 2))) == [("StartRefusedError", "succeeded")] * 2
    )


def test_a_task_that_fails_then_runs_again(both: Both) -> None:
    envelope = Envelope(task="t", enqueued_at=NOW)
    both.do(lambda s: s.enqueue([envelope]))
    both.do(lambda s: s.start(context(envelope)))
    both.clock.tick()
    both.do(lambda s: s.record(context(envelope), RETRY, TEMPORARY_ERROR))
    retrying = both.row(envelope.id)
    assert retrying is not None
    assert retrying["failed_on"] == "2026-12-01"
    assert "finished_at" not in retrying
    assert "lock_until" not in retrying
    assert [r.id for r in both.do(lambda s: s.failures(date(2026, 12, 1)))[0]] == [envelope.id]
    both.clock.tick()
    both.do(lambda s: s.start(context(envelope, 2, NOW + timedelta(seconds=60))))
    again = both.row(envelope.id)
    assert again is not None
    assert (again["attempts"], again["status"]) == (2, "running")
    assert not {"reason", "failed_on", "finished_at"} & set(again)
    both.do(lambda s: s.record(context(envelope, 2), DEAD_LETTER, RETRIES_EXHAUSTED))
    dead = both.row(envelope.id)
    assert dead is not None
    assert dead["finished_at"] == both.clock.now.isoformat()
    assert dead["reason"] == RETRIES_EXHAUSTED.model_dump()
    dead["reason"]["code"] = "edited"  # a copy, as DynamoDB's answer is
    assert (both.row(envelope.id) or {})["reason"] == RETRIES_EXHAUSTED.model_dump()
    # Redriven after a fix: a run again, its last outcome gone. Its lock holds to the
    # millisecond it names, as DynamoDB's condition has it.
    both.clock.tick()
    held = both.clock.now
    both.do(lambda s: s.start(context(envelope, 3, held)))
    redriven = both.row(envelope.id)
    assert redriven is not None
    assert not {"reason", "failed_on", "finished_at"} & set(redriven)
    assert (
        both.do(lambda s: s.start(context(envelope, 4, held + timedelta(seconds=30))))
        == [("StartRefusedError", "running")] * 2
    )
    both.clock.tick(0.001)
    both.do(lambda s: s.start(context(envelope, 4, held + timedelta(seconds=30))))


@pytest.mark.parametrize("failed_first", [True, False])
def test_a_success_leaves_the_failures(both: Both, failed_first: bool) -> None:
    envelope = Envelope(task="t", enqueued_at=NOW)
    if failed_first:
        both.do(lambda s: s.record(context(envelope), FAIL, INVALID_DATA))
    both.do(lambda s: s.succeed(context(envelope)))

    row = both.row(envelope.id)
    assert row is not None
    assert "failed_on" not in row
    assert row["status"] == "succeeded"


def test_a_row_no_api_wrote_is_filled_in_by_the_worker(both: Both) -> None:
    envelope = Envelope(task="t", owner="u9", correlation_id="c9", enqueued_at=NOW)
    both.do(lambda s: s.start(context(envelope)))
    started = both.row(envelope.id)
    assert started is not None
    assert (started["owner"], started["correlation_id"], started["enqueued_at"]) == (
        "u9",
        "c9",
        NOW.isoformat(),
    )
    other = Envelope(task="t", owner="u8", enqueued_at=NOW)
    both.do(lambda s: s.record(context(other), FAIL, INVALID_DATA))
    assert both.row(other.id) is not None
    never = Envelope(task="t", enqueued_at=NOW)
    both.do(lambda s: s.succeed(context(never)))
    assert both.row(never.id) is not None


def test_a_scheduled_task_can_be_cancelled_until_it_starts(both: Both) -> None:
    later = Envelope(task="t", due_at=NOW + timedelta(hours=2), enqueued_at=NOW)
    started = Envelope(task="t", due_at=NOW + timedelta(hours=2), enqueued_at=NOW)
    both.do(lambda s: s.enqueue([later, started]))
    scheduled = both.row(later.id)
    assert scheduled is not None
    assert (scheduled["status"], scheduled["due_at"]) == (
        "scheduled",
        (NOW + timedelta(hours=2)).isoformat(),
    )
    both.clock.tick()
    both.do(lambda s: s.unschedule(later.id))
    both.do(lambda s: s.start(context(started)))
    cancelled = both.row(later.id)
    assert cancelled is not None
    assert cancelled["status"] == "cancelled"
    assert cancelled["finished_at"] == both.clock.now.isoformat()
    assert both.do(lambda s: s.unschedule(started.id)) == [("NotScheduledError", "running")] * 2
    assert both.do(lambda s: s.unschedule("nothing")) == [("NotScheduledError", None)] * 2
    assert both.do(lambda s: s.start(context(later))) == [("StartRefusedError", "cancelled")] * 2


def test_a_refused_request_cancels_what_sqs_took_and_forgets_the_rest(both: Both) -> None:
    taken, refused, running = (Envelope(task="t", enqueued_at=NOW) for _ in range(3))
    later = Envelope(task="t", enqueued_at=NOW, due_at=NOW + timedelta(hours=1))
    both.do(lambda s: s.enqueue([taken, refused, running, later]))
    both.do(lambda s: s.start(context(running)))
    both.do(lambda s: s.cancel([running.id, "unknown", taken.id, later.id]))
    both.do(lambda s: s.discard([refused.id, "unknown"]))

    assert both.row(refused.id) is None
    statuses = [(both.row(e.id) or {}).get("status") for e in (taken, later, running)]
    assert statuses == ["cancelled", "cancelled", "running"]
    assert both.row("unknown") is None


def test_recent_failures_newest_first_up_to_a_limit(both: Both) -> None:
    envelopes = [Envelope(task="t", enqueued_at=NOW) for _ in range(51)]
    for envelope in envelopes:
        both.clock.tick()
        failed = context(envelope)
        both.do(lambda s: s.record(failed, FAIL, INVALID_DATA))  # noqa: B023 (called at once)

    [newest] = both.do(lambda s: s.failures(date(2026, 12, 1), limit=2))[:1]
    assert [r.id for r in newest] == [envelopes[50].id, envelopes[49].id]
    assert len(both.do(lambda s: s.failures(date(2026, 12, 1)))[0]) == 50
    assert both.do(lambda s: s.failures(date(2026, 11, 30)))[0] == []
    assert both.do(lambda s: s.get(envelopes[0].id))[0].status == "failed"


def test_a_store_implements_every_primitive_or_cannot_be_made() -> None:
    # What each change writes is the base class's; a store only reads, writes and deletes.
    class Partial(TaskRows):
        def failures(self, day: date, limit: int = 50) -> list[Any]:
            return []

    with pytest.raises(TypeError, match="abstract"):
        Partial()  # type: ignore[abstract]


def test_a_start_without_a_deadline_takes_no_lock(both: Both) -> None:
    envelope = Envelope(task="t", enqueued_at=NOW)
    no_deadline = TaskContext.of(envelope, 1)

    for store in both.stores:
        with pytest.raises(RuntimeError, match="without a deadline"):
            store.start(no_deadline)
    assert both.row(envelope.id) is None


def test_the_dynamodb_rows_are_read_strongly_consistent(dynamodb: Any) -> None:
    # A status read right after a write sees it (DynamoDB's reads are eventual by default).
    reads: list[bool] = []
    dynamodb.meta.events.register(
        "provide-client-params.dynamodb.GetItem",
        lambda params, **_: reads.append(params.get("ConsistentRead", False)),
    )
    rows = DynamoDBTaskRows(Table("DataTable", lambda: dynamodb), RETENTION, Clock())
    rows.get("t1")
    assert reads == [True]
