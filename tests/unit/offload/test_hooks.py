"""Hooks around a run: order, isolation from one another, and what each records. The row's hook
is the task's lock and result: an effect runs at most once per task id (in-memory rows, with the
lifecycle of the DynamoDB ones)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import pytest

from offload import Envelope, TaskRegistry, current_task
from offload.config import Config
from offload.context import TaskContext
from offload.exceptions import HeldElsewhereError
from offload.front_door import Offload
from offload.hooks import Hook, Hooks, MetricsHook, RowHook, TracingHook
from offload.lifecycle import DEAD_LETTER, FAIL, RETRY
from offload.outcome import (
    AlreadyDone,
    Cancelled,
    Deferred,
    Exhausted,
    Failed,
    Outcome,
    Rejected,
    Retry,
    Succeeded,
)
from offload.reasons import RETRIES_EXHAUSTED, TEMPORARY_ERROR, Reason
from offload.testing import MemoryBackend, MemoryTaskRows
from offload.testing.queue import Clock, InMemoryQueue
from tests.conftest import load_event, make_context
from tests.xray import captured_recorder

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer


NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def task(
    task_id: str = "t1", deadline: datetime | None = NOW + timedelta(seconds=30)
) -> TaskContext:
    return TaskContext(
        id=task_id, name="n", attempt=1, enqueued_at=NOW, correlation_id=None, deadline=deadline
    )


class Trace(Hook):
    def __init__(self, name: str, log: list[str]) -> None:
        self.name = name
        self.log = log

    def before(self, task: TaskContext) -> None:
        self.log.append(f"before {self.name}")

    def wrap(self, task: TaskContext, run: Any) -> Any:
        def traced() -> Any:
            self.log.append(f"enter {self.name}")
            return run()

        return traced

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        self.log.append(f"after {self.name}")


def test_the_first_hook_is_the_outermost() -> None:
    log: list[str] = []
    hooks = Hooks([Trace("a", log), Trace("b", log)])

    hooks.before(task())
    hooks.wrap(task(), Succeeded)()
    hooks.after(task(), Succeeded())

    assert log == ["before a", "before b", "enter a", "enter b", "after b", "after a"]


def test_a_failing_hook_does_not_stop_the_others() -> None:
    log: list[str] = []

    class Broken(Hook):
        def after(self, task: TaskContext | None, outcome: Outcome) -> None:
            raise RuntimeError("metrics backend down")

    Hooks([Trace("a", log), Broken()]).after(task(), Succeeded())

    assert log == ["after a"]


REASON = Reason(code="invalid_data", message="Bad.")


@pytest.fixture
def rows() -> MemoryTaskRows:
    return MemoryTaskRows(lambda: NOW)


class Ran:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self) -> Outcome:
        self.count += 1
        return Succeeded()


@pytest.mark.parametrize(
    ("outcome", "written"),
    [
        (Succeeded(), None),
        (AlreadyDone(), None),
        (Cancelled(), None),
        (Deferred(3, "elsewhere"), None),
        (Retry(3, "x"), ("retrying", "temporary_error")),
        (Rejected(REASON, "x"), ("failed", "invalid_data")),
        (Failed(REASON, "x"), ("failed", "invalid_data")),
        (Exhausted(RETRIES_EXHAUSTED, "x"), ("dead_lettered", "retries_exhausted")),
    ],
)
def test_what_the_task_row_says_after_each_outcome(
    rows: MemoryTaskRows, outcome: Outcome, written: tuple[str, str] | None
) -> None:
    RowHook(rows).after(task(), outcome)

    row = rows.rows.get("t1")
    assert (None if row is None else (row["status"], row["reason"]["code"])) == written


def test_a_message_that_never_became_a_task_writes_no_row(rows: MemoryTaskRows) -> None:
    RowHook(rows).after(None, Failed(REASON, "not JSON"))

    assert rows.rows == {}


def test_a_run_is_done_once_per_task_id(rows: MemoryTaskRows) -> None:
    hook, effect = RowHook(rows), Ran()

    assert hook.wrap(task("t1"), effect)() == Succeeded()
    assert hook.wrap(task("t1"), effect)() == AlreadyDone()
    assert hook.wrap(task("t2"), effect)() == Succeeded()

    assert effect.count == 2
    row = rows.rows["t1"]
    assert (row["status"], row["attempts"]) == ("succeeded", 1)
    assert "lock_until" not in row
    assert row["duration_ms"] >= 0


def test_a_run_in_progress_elsewhere_is_not_run_again(rows: MemoryTaskRows) -> None:
    hook, effect = RowHook(rows), Ran()
    rows.start(task("t1", deadline=NOW + timedelta(minutes=1)))

    with pytest.raises(HeldElsewhereError):
        hook.wrap(task("t1"), effect)()

    assert effect.count == 0


def test_a_lock_that_ended_is_taken_over(rows: MemoryTaskRows) -> None:
    hook, effect = RowHook(rows), Ran()
    rows.start(task("t1", deadline=NOW - timedelta(milliseconds=1)))

    assert hook.wrap(task("t1"), effect)() == Succeeded()
    assert effect.count == 1
    assert rows.rows["t1"]["attempts"] == 2


def test_a_cancelled_task_is_not_run(rows: MemoryTaskRows) -> None:
    hook, effect = RowHook(rows), Ran()
    envelope = Envelope(task="n")
    rows.enqueue([envelope])
    rows.cancel([envelope.id])

    assert hook.wrap(task(envelope.id), effect)() == Cancelled()
    assert effect.count == 0


@pytest.mark.parametrize("transition", [RETRY, FAIL, DEAD_LETTER], ids=lambda t: t.to)
def test_a_task_that_did_not_succeed_runs_again(rows: MemoryTaskRows, transition: Any) -> None:
    hook, effect = RowHook(rows), Ran()
    rows.record(task("t1"), transition, TEMPORARY_ERROR)

    assert hook.wrap(task("t1"), effect)() == Succeeded()
    assert effect.count == 1


def test_an_effect_that_raises_leaves_the_lock_for_the_outcome_to_release(
    rows: MemoryTaskRows,
) -> None:
    def fails() -> Outcome:
        raise ConnectionError("down")

    with pytest.raises(ConnectionError):
        RowHook(rows).wrap(task("t1"), fails)()

    assert rows.rows["t1"]["status"] == "running"
    RowHook(rows).after(task("t1"), Retry(1, "down"))
    assert rows.rows["t1"]["status"] == "retrying"
    assert "lock_until" not in rows.rows["t1"]


def test_a_run_without_a_deadline_takes_no_lock_and_runs_nothing(rows: MemoryTaskRows) -> None:
    effect = Ran()

    # Its lock could never end: refused loudly.
    with pytest.raises(RuntimeError, match="without a deadline"):
        RowHook(rows).wrap(task("t1", deadline=None), effect)()

    assert effect.count == 0
    assert rows.rows == {}


def test_the_consumer_gives_each_run_a_lock_that_ends_with_its_invocation() -> None:
    registry = TaskRegistry()
    clock = Clock(NOW)
    rows = MemoryTaskRows(clock.now)
    seen: dict[str, Any] = {}

    @registry.task("look")
    def look() -> None:
        seen.update(rows.rows[current_task().id])

    backend = MemoryBackend(InMemoryQueue(clock), rows, registry)
    consumer = Offload(Config(), registry=registry, backend=backend, clock=clock.now).consumer()
    envelope = Envelope(task="look")
    event = load_event("worker_send_email")
    event["Records"][0]["body"] = envelope.to_body()

    response = consumer.handle(event, make_context(remaining_millis=42_000))

    assert response == {"batchItemFailures": []}
    assert seen["status"] == "running"
    # The invocation's deadline: a crashed run's lock ends when its invocation would have.
    assert seen["lock_until"] == int(NOW.timestamp() * 1000) + 42_000
    assert rows.rows[envelope.id]["status"] == "succeeded"
    assert "lock_until" not in rows.rows[envelope.id]


def emf_documents(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith('{"_aws"')]


def metrics_hook(now: datetime) -> MetricsHook:
    from aws_lambda_powertools import Metrics

    return MetricsHook(Metrics(namespace="Offload", service="worker"), clock=lambda: now)


def test_each_delivery_is_a_document_by_task_name_and_by_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)
    waiting = TaskContext(
        id="t1",
        name="send_email",
        attempt=2,
        enqueued_at=now - timedelta(seconds=5),
        correlation_id=None,
    )

    metrics_hook(now).after(waiting, Succeeded())

    [document] = emf_documents(capsys.readouterr().out)
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "Offload"
    assert sorted(map(sorted, directive["Dimensions"])) == [["service"], ["service", "task"]]
    assert (document["task"], document["service"]) == ("send_email", "worker")
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == {
        "TasksSucceeded": "Count",
        "TaskWaitTime": "Milliseconds",
        "TaskDuration": "Milliseconds",
        "TaskAttempts": "Count",
    }
    assert document["TasksSucceeded"] == [1]
    assert document["TaskAttempts"] == [2]
    # enqueued 5 s before now; the run started a moment before now
    [waited], [ran] = document["TaskWaitTime"], document["TaskDuration"]
    assert 4_000 < waited <= 5_000
    assert 0 <= ran < 1_000


@pytest.mark.parametrize(
    ("outcome", "metrics"),
    [
        (Retry(3, "x"), {"TasksRetried", "TaskWaitTime", "TaskDuration"}),
        (Rejected(REASON, "x"), {"TasksRejected", "TaskWaitTime", "TaskDuration", "TaskAttempts"}),
        (
            Exhausted(RETRIES_EXHAUSTED, "x"),
            {"TasksDeadLettered", "TaskWaitTime", "TaskDuration", "TaskAttempts"},
        ),
        (AlreadyDone(), set()),
        (Cancelled(), set()),
        (Deferred(3, "elsewhere"), set()),
    ],
)
def test_what_each_outcome_counts(
    outcome: Outcome, metrics: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    metrics_hook(datetime.now(UTC)).after(task(), outcome)

    documents = emf_documents(capsys.readouterr().out)
    published = {m["Name"] for d in documents for m in d["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert published == metrics


def test_without_a_service_name_the_dimension_is_powertools_default(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from aws_lambda_powertools import Metrics

    monkeypatch.delenv("POWERTOOLS_SERVICE_NAME", raising=False)
    hook = MetricsHook(Metrics(namespace="Offload"), clock=lambda: datetime.now(UTC))

    hook.after(task(), Succeeded())

    [document] = emf_documents(capsys.readouterr().out)
    assert document["service"] == "service_undefined"


def test_a_task_enqueued_after_the_workers_clock_waited_no_time(
    capsys: pytest.CaptureFixture[str],
) -> None:
    now = datetime.now(UTC)
    ahead = TaskContext(
        id="t1", name="n", attempt=1, enqueued_at=now + timedelta(seconds=2), correlation_id=None
    )

    metrics_hook(now).after(ahead, Succeeded())

    [document] = emf_documents(capsys.readouterr().out)
    assert document["TaskWaitTime"] == [0.0]


def test_a_message_that_never_became_a_task_is_counted_under_unknown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    metrics_hook(datetime.now(UTC)).after(None, Failed(REASON, "not JSON"))

    [document] = emf_documents(capsys.readouterr().out)
    assert document["task"] == "unknown"
    assert document["TasksFailed"] == [1]
    assert "TaskWaitTime" not in document


def test_a_runs_log_lines_name_its_task_and_the_next_ones_do_not() -> None:
    import io
    import logging
    import uuid

    from aws_lambda_powertools import Logger

    from offload.hooks import LogContextHook

    out = io.StringIO()
    # A service of its own: Powertools configures a logger once per service name.
    log = Logger(
        service=f"log-context-{uuid.uuid4().hex}", logger_handler=logging.StreamHandler(out)
    )
    hook = LogContextHook(log)
    running = TaskContext(
        id="t1", name="send_email", attempt=2, enqueued_at=datetime.now(UTC), correlation_id="r-1"
    )

    hook.after(None, Failed(REASON, "not JSON"))  # nothing to take off
    hook.before(running)
    log.info("during")
    hook.after(running, Succeeded())
    log.info("after")

    during, after = (json.loads(line) for line in out.getvalue().splitlines())
    keys = ("task_id", "task", "attempt", "correlation_id")
    assert [during.get(k) for k in keys] == ["t1", "send_email", 2, "r-1"]
    assert [k for k in keys if k in after] == []


def test_each_run_is_a_subsegment_annotated_with_the_task() -> None:
    recorder, emitter = captured_recorder()
    tracer = cast("Tracer", SimpleNamespace(provider=recorder))
    context = TaskContext(
        id="t1",
        name="send_email",
        attempt=3,
        enqueued_at=datetime.now(UTC),
        correlation_id="req-1",
    )

    recorder.begin_segment("worker")
    result = TracingHook(tracer).wrap(context, Succeeded)()
    recorder.end_segment()

    assert result == Succeeded()
    [segment] = emitter.sent
    [subsegment] = segment["subsegments"]
    assert subsegment["name"] == "## task send_email"
    assert subsegment["annotations"] == {
        "task_id": "t1",
        "task": "send_email",
        "attempt": "3",
        "correlation_id": "req-1",
    }
