"""Hooks around a run: order, isolation from one another, and what each records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from offload.context import TaskContext
from offload.hooks import Hook, Hooks, RecordHook
from offload.outcome import DeadLetter, Outcome, Rejected, Retry, Succeeded
from offload.reasons import RETRIES_EXHAUSTED, Reason


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
