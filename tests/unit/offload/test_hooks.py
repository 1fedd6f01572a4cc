"""Hooks around a run: order, isolation from one another, and what each records."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import pytest

from offload.context import TaskContext
from offload.hooks import Hook, Hooks, MetricsHook, RecordHook, TracingHook
from offload.outcome import DeadLetter, Outcome, Rejected, Retry, Succeeded
from offload.reasons import RETRIES_EXHAUSTED, Reason

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer


def task() -> TaskContext:
    return TaskContext(
        id="t1", name="n", attempt=1, enqueued_at=datetime.now(UTC), correlation_id=None
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
    hooks.wrap(task(), lambda: "ran")()
    hooks.after(task(), Succeeded())

    assert log == ["before a", "before b", "enter a", "enter b", "after b", "after a"]


def test_a_failing_hook_does_not_stop_the_others() -> None:
    log: list[str] = []

    class Broken(Hook):
        def after(self, task: TaskContext | None, outcome: Outcome) -> None:
            raise RuntimeError("metrics backend down")

    Hooks([Trace("a", log), Broken()]).after(task(), Succeeded())

    assert log == ["after a"]


class FakeRecords:
    def __init__(self) -> None:
        self.finished: list[tuple[str, str, str]] = []

    def finish(self, context: TaskContext, status: str, reason: Reason) -> None:
        self.finished.append((context.id, status, reason.code))


REASON = Reason(code="invalid_data", message="Bad.")


@pytest.mark.parametrize(
    ("outcome", "written"),
    [
        (Succeeded(), []),
        (Succeeded(ran=False, cancelled=True), []),
        (Retry(3, "x"), [("t1", "retrying", "temporary_error")]),
        (Retry(3, "elsewhere", record=False), []),
        (Rejected(REASON, "x"), [("t1", "failed", "invalid_data")]),
        (DeadLetter(REASON, "x"), [("t1", "failed", "invalid_data")]),
        (
            DeadLetter(RETRIES_EXHAUSTED, "x", "dead_lettered"),
            [("t1", "dead_lettered", "retries_exhausted")],
        ),
    ],
)
def test_what_the_task_row_says_after_each_outcome(
    outcome: Outcome, written: list[tuple[str, str, str]]
) -> None:
    records = FakeRecords()

    RecordHook(records).after(task(), outcome)  # type: ignore[arg-type]

    assert records.finished == written


def test_a_message_that_never_became_a_task_writes_no_row() -> None:
    records = FakeRecords()

    RecordHook(records).after(None, DeadLetter(REASON, "not JSON"))  # type: ignore[arg-type]

    assert records.finished == []


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
            DeadLetter(RETRIES_EXHAUSTED, "x", "dead_lettered"),
            {"TasksDeadLettered", "TaskWaitTime", "TaskDuration", "TaskAttempts"},
        ),
        (Succeeded(ran=False), set()),
        (Retry(3, "elsewhere", record=False), set()),
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
    metrics_hook(datetime.now(UTC)).after(None, DeadLetter(REASON, "not JSON"))

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

    hook.after(None, DeadLetter(REASON, "not JSON"))  # nothing to take off
    hook.before(running)
    log.info("during")
    hook.after(running, Succeeded())
    log.info("after")

    during, after = (json.loads(line) for line in out.getvalue().splitlines())
    keys = ("task_id", "task", "attempt", "correlation_id")
    assert [during.get(k) for k in keys] == ["t1", "send_email", 2, "r-1"]
    assert [k for k in keys if k in after] == []


class CapturedEntities:
    """An X-Ray emitter that keeps what would go to the daemon."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_entity(self, entity: Any) -> None:
        self.sent.append(json.loads(entity.serialize()))

    def set_daemon_address(self, address: str | None) -> None:
        return None

    @property
    def ip(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return 2000


def test_each_run_is_a_subsegment_annotated_with_the_task() -> None:
    from aws_xray_sdk.core import xray_recorder
    from aws_xray_sdk.core.recorder import AWSXRayRecorder

    recorder = AWSXRayRecorder()
    # The daemon's UDP sockets the SDK opens (its global recorder's too) are never used here.
    for unused in (recorder, xray_recorder):
        unused.emitter._socket.close()
    emitter = CapturedEntities()
    recorder.configure(emitter=emitter, sampling=False, context_missing="LOG_ERROR")
    tracer = cast("Tracer", SimpleNamespace(provider=recorder))
    context = TaskContext(
        id="t1",
        name="send_email",
        attempt=3,
        enqueued_at=datetime.now(UTC),
        correlation_id="req-1",
    )

    recorder.begin_segment("worker")
    result = TracingHook(tracer).wrap(context, lambda: "ran")()
    recorder.end_segment()

    assert result == "ran"
    [segment] = emitter.sent
    [subsegment] = segment["subsegments"]
    assert subsegment["name"] == "## task send_email"
    assert subsegment["annotations"] == {
        "task_id": "t1",
        "task": "send_email",
        "attempt": "3",
        "correlation_id": "req-1",
    }
