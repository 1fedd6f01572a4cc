"""offload.pipeline: one envelope becomes a task the hooks see whole, its arguments are fetched
back from S3 when they travelled as a pointer, and the run comes back as an outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from offload import Envelope, TaskRegistry, current_task
from offload.context import TaskContext
from offload.envelope import PayloadRef
from offload.hooks import Effect, Hook, Hooks
from offload.outcome import AlreadyDone, Cancelled, Failed, Outcome, Succeeded
from offload.pipeline import TaskPipeline
from offload.reasons import Reason

POINTER = PayloadRef(bucket="uploads", key="payloads/t1.json")


class Seen(Hook):
    """The task `before` is given; `run` replaces the effect's outcome, as the row's lock may."""

    def __init__(self, run: Outcome | None = None) -> None:
        self.before_tasks: list[TaskContext] = []
        self.run = run

    def before(self, task: TaskContext) -> None:
        self.before_tasks.append(task)

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        if self.run is None:
            return run
        result = self.run
        return lambda: result


class Payloads:
    def store(self, envelope: Envelope) -> Envelope:
        raise NotImplementedError

    def load(self, envelope: Envelope) -> Envelope:
        return envelope.model_copy(update={"args": ["from S3"], "payload": None})


@pytest.fixture
def registry() -> tuple[TaskRegistry, list[Any]]:
    registry, calls = TaskRegistry(), []

    @registry.task("echo")
    def echo(text: str) -> None:
        calls.append((text, current_task()))

    return registry, calls


def test_the_task_is_the_envelopes_and_the_hooks_see_it(
    registry: tuple[TaskRegistry, list[Any]],
) -> None:
    tasks, calls = registry
    seen = Seen()
    enqueued = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    deadline = datetime(2026, 12, 1, 9, 31, tzinfo=UTC)
    envelope = Envelope(
        task="echo", args=["hi"], enqueued_at=enqueued, correlation_id="req-1", owner="user-1"
    )

    task, outcome = TaskPipeline(tasks, Hooks([seen])).run(envelope, 3, deadline)

    assert task == TaskContext(
        id=envelope.id,
        name="echo",
        attempt=3,
        enqueued_at=enqueued,
        correlation_id="req-1",
        owner="user-1",
        deadline=deadline,
    )
    assert seen.before_tasks == [task]
    assert calls == [("hi", task)]
    assert outcome == Succeeded()


@pytest.mark.parametrize("outcome", [AlreadyDone(), Cancelled()], ids=["done", "cancelled"])
def test_an_effect_not_run_now_comes_back_as_why(
    registry: tuple[TaskRegistry, list[Any]], outcome: Outcome
) -> None:
    tasks, calls = registry

    _, result = TaskPipeline(tasks, Hooks([Seen(outcome)])).run(
        Envelope(task="echo", args=["hi"]), 1, None
    )

    assert result == outcome
    assert calls == []


def test_arguments_sent_as_a_pointer_are_loaded_back_first(
    registry: tuple[TaskRegistry, list[Any]],
) -> None:
    tasks, calls = registry
    pipeline = TaskPipeline(tasks, Hooks([]), payloads=Payloads())

    _, outcome = pipeline.run(Envelope(task="echo", payload=POINTER), 1, None)

    assert outcome == Succeeded()
    assert [text for text, _ in calls] == ["from S3"]


def test_a_pointer_without_a_payload_store_is_dead_lettered(
    registry: tuple[TaskRegistry, list[Any]],
) -> None:
    tasks, calls = registry

    _, outcome = TaskPipeline(tasks, Hooks([])).run(Envelope(task="echo", payload=POINTER), 1, None)

    assert outcome == Failed(
        Reason(code="permanent_error", message="The task failed and cannot succeed by retrying."),
        "PermanentTaskError: the arguments are in S3 but no store is configured",
    )
    assert calls == []
