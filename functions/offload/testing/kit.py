"""TaskKit: an app's tasks, run in a test by the real worker path without AWS.

What runs is offload's own: the producer (rows, then the queue, 503 on refusal), the consumer
(Powertools' batch processor, message readers, the envelope), the pipeline (validation again,
the hooks, the outcome decision), the row's lock and result, each task's backoff and
max_attempts, dead-lettering. What is replaced is the backend (offload.backend): SQS (an
in-memory queue with delays, visibility and redrive), DynamoDB (in-memory rows), the scheduler
(a delayed message), and time (a clock the test moves). The app keeps its own front door: the
kit overrides FastAPI's dependency (offload.get_offload) with one of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from offload.config import DEFAULT_QUEUE, Config
from offload.front_door import Offload
from offload.hooks import Hook
from offload.outcome import Succeeded
from offload.producer import get_offload
from offload.registry import TaskRegistry, registry
from offload.testing.queue import (
    Clock,
    DeadLetter,
    InMemoryQueue,
    QueueDeadLetters,
    QueueSchedules,
    QueueVisibility,
)
from offload.testing.rows import MemoryTaskRows

if TYPE_CHECKING:
    from fastapi import FastAPI

    from offload.context import TaskContext
    from offload.hooks import Effect
    from offload.outcome import Outcome
    from offload.queue import TaskQueue
    from offload.readers import MessageReader
    from offload.rows import TaskRow


@dataclass(frozen=True)
class Delivery:
    """One delivery of a task to the worker, and what it came to."""

    task_id: str
    task: str
    attempt: int
    outcome: Outcome


class _Runtime:
    """The remaining time the worker sees in each invocation (a run's lock on its task's row
    ends with it)."""

    function_name = "offload-testing"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:offload-testing"
    aws_request_id = "offload-testing"

    def __init__(self, timeout: timedelta) -> None:
        self._millis = int(timeout.total_seconds() * 1000)

    def get_remaining_time_in_millis(self) -> int:
        return self._millis


class _Faults(Hook):
    """Raises in place of a task's effect on chosen attempts (inside the row's lock: the run
    was started, as a real failure's would be)."""

    def __init__(self) -> None:
        self.planned: dict[tuple[str, int], BaseException] = {}

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        for key in ((task.name, task.attempt), (task.id, task.attempt)):
            error = self.planned.pop(key, None)
            if error is not None:
                return _raising(error)
        return run


def _raising(error: BaseException) -> Effect:
    def fail() -> Outcome:
        raise error

    return fail


class MemoryBackend:
    """The backend of a test: one in-memory queue for every queue name, rows in a dict."""

    def __init__(self, queue: InMemoryQueue, rows: MemoryTaskRows, registry: TaskRegistry) -> None:
        self.queue = queue
        self.rows = rows
        self._registry = registry
        self.schedules = QueueSchedules(queue)
        self.dead_letters = QueueDeadLetters(queue)
        self.visibility = QueueVisibility(queue)
        self.payloads = None

    @property
    def queues(self) -> Mapping[str, TaskQueue]:
        return dict.fromkeys({DEFAULT_QUEUE, *self._registry.queues()}, self.queue)


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
        offload: Offload | None = None,
        *,
        registry: TaskRegistry | None = None,
        max_attempts: int = 5,
        batch_size: int = 10,
        timeout: timedelta = timedelta(seconds=30),
        readers: Sequence[MessageReader] = (),
    ) -> None:
        """The kit for the tasks of `offload` (its registry), or of `registry`, or of the
        global one (`@offload.task`)."""
        self.clock = Clock()
        self.registry = registry or (offload.registry if offload is not None else _global())
        self.queue = InMemoryQueue(
            self.clock, visibility_timeout=timeout * 10, max_receive_count=max_attempts
        )
        self.rows = MemoryTaskRows(self.clock.now)
        #: The front door the kit swaps in: the app's registry, the kit's backend and clock.
        self.offload = Offload(
            Config(max_attempts=max_attempts),
            registry=self.registry,
            backend=MemoryBackend(self.queue, self.rows, self.registry),
            clock=self.clock.now,
        )
        self._batch_size = batch_size
        self._runtime = _Runtime(timeout)
        self._faults = _Faults()
        self._deliveries = _Deliveries()
        self._readers = readers
        self._installed: list[FastAPI] = []

    @cached_property
    def _consumer(self) -> Any:
        return self.offload.consumer(
            readers=self._readers,
            hooks=[self._deliveries],
            effect_hooks=[self._faults],
            time_guard_ms=0,
        )

    # Wiring

    def install(self, app: FastAPI) -> None:
        """Send the app's tasks here (FastAPI's dependency_overrides; the app's own `owner`
        is kept) until `close()`."""
        self._installed.append(app)
        app.dependency_overrides[get_offload] = lambda: self.offload

    def close(self) -> None:
        """Give each app back its own front door."""
        while self._installed:
            self._installed.pop().dependency_overrides.pop(get_offload, None)

    # Running

    def run_due(self) -> list[Delivery]:
        """Deliver what is due now, batch after batch, until nothing is; time stands still."""
        start = len(self._deliveries.seen)
        while batch := self.queue.receive(self._batch_size):
            event = {"Records": [m.record() for m in batch]}
            response = self._consumer.handle(event, self._runtime)
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

    def row(self, task_id: str) -> TaskRow:
        found = self.rows.get(task_id)
        if found is None:
            raise KeyError(f"no task {task_id}")
        return found

    def status(self, task_id: str) -> str:
        return self.row(task_id).status

    def runs(self, task: Callable[..., Any] | str) -> int:
        """How many deliveries of the task (function, name or id) ran its effect to the end:
        a duplicate or a redelivery of a finished task does not."""
        key = self._key(task)
        return sum(
            1
            for d in self._deliveries.seen
            if key in (d.task, d.task_id) and isinstance(d.outcome, Succeeded)
        )

    def _key(self, task: Callable[..., Any] | str) -> str:
        return task if isinstance(task, str) else self.registry.spec_for(task).name


def _global() -> TaskRegistry:
    return registry
