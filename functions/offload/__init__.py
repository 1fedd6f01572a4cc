"""Durable background tasks for FastAPI on AWS Lambda.

    from offload import BackgroundTasks, Offload, task   # instead of: from fastapi import ...

    @task("send_email")
    def send_email(email: str, message: str = "") -> None: ...

API side: `BackgroundTasks` is injected like FastAPI's own and queues every task on SQS before
the response (`.later(delay)` / `.at(when)` for tasks that run later); `Offload.install(app,
owner=...)` says whose they are. Worker side: `Offload.from_environment().lambda_handler()`.
Tests: `offload.testing`. Template checks: `offload.rules` (cfn-lint).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from offload.config import Config
from offload.context import TaskContext, current_task
from offload.envelope import Envelope
from offload.exceptions import (
    ConfigurationError,
    DuplicateTaskError,
    EnqueueError,
    EnvelopeError,
    InvalidTaskArgumentsError,
    NotScheduledError,
    OffloadError,
    PermanentTaskError,
    TaskArgumentsError,
    TaskRejectedError,
    TaskTimingError,
    UnknownQueueError,
    UnknownTaskError,
    UnregisteredTaskError,
)
from offload.front_door import Offload
from offload.reasons import Reason
from offload.registry import TaskRegistry, TaskSpec, registry, task
from offload.retry import Backoff
from offload.rows import TaskRow

if TYPE_CHECKING:
    from offload.producer import BackgroundTasks, RequestTasks, get_offload

__version__ = "0.2.0"

#: What `from offload import BackgroundTasks` needs is FastAPI: imported on first use only, so a
#: worker, which never uses it, does not pay for it at cold start.
_API_SIDE = {"BackgroundTasks", "RequestTasks", "get_offload"}


def __getattr__(name: str) -> Any:
    if name in _API_SIDE:
        from offload import producer

        return getattr(producer, name)
    raise AttributeError(f"module 'offload' has no attribute {name!r}")


__all__ = [
    "BackgroundTasks",
    "Backoff",
    "Config",
    "ConfigurationError",
    "DuplicateTaskError",
    "EnqueueError",
    "Envelope",
    "EnvelopeError",
    "InvalidTaskArgumentsError",
    "NotScheduledError",
    "Offload",
    "OffloadError",
    "PermanentTaskError",
    "Reason",
    "RequestTasks",
    "TaskArgumentsError",
    "TaskContext",
    "TaskRegistry",
    "TaskRejectedError",
    "TaskRow",
    "TaskSpec",
    "TaskTimingError",
    "UnknownQueueError",
    "UnknownTaskError",
    "UnregisteredTaskError",
    "__version__",
    "current_task",
    "get_offload",
    "registry",
    "task",
]
