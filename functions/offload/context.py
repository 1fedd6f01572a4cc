"""What a running task may know about itself: its id, name, delivery attempt and owner."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offload.envelope import Envelope


@dataclass(frozen=True)
class TaskContext:
    id: str
    name: str
    attempt: int
    enqueued_at: datetime
    correlation_id: str | None
    #: The `sub` of the caller who added the task, when the API knew one.
    owner: str | None = None
    #: When the invocation running it ends (the Lambda context's remaining time): the run's
    #: lock on the task's row ends then too, so a crashed run never blocks its task.
    deadline: datetime | None = None
    _started: float = field(default_factory=time.perf_counter, repr=False, compare=False)

    @classmethod
    def of(cls, envelope: Envelope, attempt: int, deadline: datetime | None = None) -> TaskContext:
        """The context of a delivery of `envelope`, its `attempt`th."""
        return cls(
            id=envelope.id,
            name=envelope.task,
            attempt=attempt,
            enqueued_at=envelope.enqueued_at,
            correlation_id=envelope.correlation_id,
            owner=envelope.owner,
            deadline=deadline,
        )

    def elapsed_ms(self) -> float:
        """Milliseconds since the worker took this delivery up."""
        return (time.perf_counter() - self._started) * 1000


_current: ContextVar[TaskContext] = ContextVar("offload_current_task")


def current_task() -> TaskContext:
    """The task being run by the worker. Raises LookupError outside of a task."""
    return _current.get()


@contextmanager
def running(context: TaskContext) -> Iterator[TaskContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)
