"""TaskKit: an app's tasks, run in a test by the real worker path without AWS.

What runs is offload's own: the producer (rows, then the queue, 503 on refusal), the consumer
(Powertools' batch processor, message readers, the envelope), the pipeline (validation again,
the hooks, the outcome decision), idempotency on the task's row, each task's backoff and
max_attempts, dead-lettering. What is replaced: SQS (an in-memory queue with delays, visibility
and redrive), DynamoDB (in-memory rows), the scheduler (a delayed message), and time (a clock
the test moves).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from offload.consumer import TaskConsumer
from offload.hooks import Hook, Hooks, IdempotencyHook, RecordHook
from offload.idempotency import Idempotency
from offload.outcome import Succeeded
from offload.pipeline import RunPolicy, TaskPipeline
from offload.producer import (
    restore_task_queue_settings,
    task_owner,
    task_queue_settings,
    use_task_queue,
)
from offload.registry import TaskRegistry, registry
from offload.testing.queue import (
    Clock,
    DeadLetter,
    InMemoryQueue,
    QueueDeadLetters,
    QueueVisibility,
)
from offload.testing.records import InMemoryTaskRecords

if TYPE_CHECKING:
    from fastapi import FastAPI

    from offload.context import TaskContext
    from offload.hooks import Effect
    from offload.outcome import Outcome
    from offload.records import TaskRecord
    from offload.routing import MessageReader


@dataclass(frozen=True)
class Delivery:
    """One delivery of a task to the worker, and what it came to."""

    task_id: str
    task: str
    attempt: int
    outcome: Outcome


class _Runtime:
    """The remaining time the worker sees in each invocation (Powertools' idempotency locks
    expire with it)."""

    function_name = "offload-testing"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:offload-testing"
    aws_request_id = "offload-testing"

    def __init__(self, timeout: timedelta) -> None:
        self._millis = int(timeout.total_seconds() * 1000)

    def get_remaining_time_in_millis(self) -> int:
        return self._millis


class _Faults(Hook):
    """Raises in place of a task's effect on chosen attempts (inside idempotency: the run was
    started, as a real failure's would be)."""

    def __init__(self) -> None:
        self.planned: dict[tuple[str, int], BaseException] = {}

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        for key in ((task.name, task.attempt), (task.id, task.attempt)):
            error = self.planned.pop(key, None)
            if error is not None:
                return _raising(error)
        return run


def _raising(error: BaseException) -> Effect:
    def fail() -> Any:
        raise error

    return fail


class _Deliveries(Hook):
    def __init__(self) -> None:
        self.seen: list[Delivery] = []

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        if task is not None:
            self.seen.append(Delivery(task.id, task.name, task.attempt, outcome))


class TaskKit:
    """Tasks in memory for one test: `install(app)`, call the app, then `drain()`."""

    def __init__(
        self,
        task_registry: TaskRegistry = registry,
        *,
        max_attempts: int = 5,
        batch_size: int = 10,
        timeout: timedelta = timedelta(seconds=30),
        readers: Sequence[MessageReader] = (),
    ) -> None:
        self.clock = Clock()
        self.registry = task_registry
        self.queue = InMemoryQueue(
            self.clock, visibility_timeout=timeout * 10, max_receive_count=max_attempts
        )
        self.records = InMemoryTaskRecords(self.clock.now)
        self._batch_size = batch_size
        self._runtime = _Runtime(timeout)
        self._faults = _Faults()
        self._deliveries = _Deliveries()
        self._installed: list[tuple[FastAPI, dict[str, Any]]] = []
        idempotency = Idempotency(self.records, 14 * 24 * 3600)
        hooks = Hooks(
            [
                self._deliveries,
                RecordHook(self.records),
                IdempotencyHook(idempotency),
                self._faults,
            ]
        )
        pipeline = TaskPipeline(task_registry, hooks, RunPolicy(max_attempts=max_attempts))
        self._consumer = TaskConsumer(
            pipeline,
            QueueDeadLetters(self.queue),
            QueueVisibility(self.queue),
            idempotency=idempotency,
            readers=readers,
            time_guard_ms=0,
        )

    # Wiring

    def install(self, app: FastAPI) -> None:
        """Send the app's tasks here (its owner function is kept) until `close()`."""
        self._installed.append((app, task_queue_settings(app)))
        use_task_queue(
            app,
            lambda: self.queue,
            task_registry=self.registry,
            records=lambda: self.records,
            owner=task_owner(app),
            schedules=lambda: self.queue,
            clock=self.clock.now,
        )

    def close(self) -> None:
        """Give each app back the task queue it had."""
        while self._installed:
            app, settings = self._installed.pop()
            restore_task_queue_settings(app, settings)

    # Running

    def run_due(self) -> list[Delivery]:
        """Deliver what is due now, batch after batch, until nothing is; time stands still."""
        start = len(self._deliveries.seen)
        while batch := self.queue.receive(self._batch_size):
            event = {"Records": [m.record() for m in batch]}
            response = self._consumer.handle(event, self._runtime)  # type: ignore[arg-type]
            failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
            for message in batch:
                if message.message_id not in failed:
                    self.queue.delete_message(message)
        return self._deliveries.seen[start:]

    def drain(self, *, max_deliveries: int = 1_000) -> list[Delivery]:
        """Deliver everything, moving the clock to each next due message (retries' backoff,
        tasks added for later), until the queue is empty. Returns the deliveries made."""
        start = len(self._deliveries.seen)
        while True:
            self.run_due()
            if len(self._deliveries.seen) - start > max_deliveries:
                raise RuntimeError(f"the queue is not empty after {max_deliveries} deliveries")
            upcoming = self.queue.next_visible()
            if upcoming is None:
                return self._deliveries.seen[start:]
            if upcoming > self.clock.now():
                self.clock.advance(upcoming - self.clock.now())

    # Faults

    def fail(
        self,
        task: Callable[..., Any] | str,
        attempts: int | Iterable[int] = 1,
        error: BaseException | None = None,
    ) -> None:
        """Make the task (a function, a name or a task id) raise on these attempts: an
        ordinary error by default (retried), or `error` (PermanentTaskError ...)."""
        key = self._key(task)
        for attempt in [attempts] if isinstance(attempts, int) else attempts:
            self._faults.planned[(key, attempt)] = error or ConnectionError(
                f"injected failure of {key}, attempt {attempt}"
            )

    def duplicate(self, task: Callable[..., Any] | str, times: int = 1) -> None:
        """Deliver the next `times` messages of the task (function, name or id) twice each."""
        key = self._key(task)
        self.queue.duplicates[key] = self.queue.duplicates.get(key, 0) + times

    # Looking

    @property
    def deliveries(self) -> list[Delivery]:
        return list(self._deliveries.seen)

    @property
    def dead_letters(self) -> list[DeadLetter]:
        return list(self.queue.dead_letters)

    def record(self, task_id: str) -> TaskRecord:
        found = self.records.get(task_id)
        if found is None:
            raise KeyError(f"no task {task_id}")
        return found

    def status(self, task_id: str) -> str:
        return self.record(task_id).status

    def runs(self, task: Callable[..., Any] | str) -> int:
        """How many deliveries of the task (function, name or id) ran its effect to the end:
        a duplicate or a redelivery of a finished task does not."""
        key = self._key(task)
        return sum(
            1
            for d in self._deliveries.seen
            if key in (d.task, d.task_id) and isinstance(d.outcome, Succeeded) and d.outcome.ran
        )

    def _key(self, task: Callable[..., Any] | str) -> str:
        return task if isinstance(task, str) else self.registry.spec_for(task).name
