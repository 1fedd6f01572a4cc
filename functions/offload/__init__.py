"""Durable background tasks for FastAPI on AWS Lambda.

API side: `@task("name")` registers a function; `BackgroundTasks` is injected like FastAPI's own
and queues every task on SQS before the response (`.later(delay)` / `.at(when)` for tasks that
run later). Worker side: `TaskConsumer` runs them. Tests: `offload.testing`.
"""

__version__ = "0.2.0"

from offload.context import TaskContext, current_task
from offload.envelope import Envelope
from offload.exceptions import (
    DuplicateTaskError,
    EnqueueError,
    EnvelopeError,
    InvalidTaskArgumentsError,
    OffloadError,
    PermanentTaskError,
    TaskArgumentsError,
    TaskRejectedError,
    TaskTimingError,
    UnknownQueueError,
    UnknownTaskError,
    UnregisteredTaskError,
)
from offload.reasons import Reason
from offload.registry import TaskRegistry, TaskSpec, registry, task
from offload.retry import Backoff

__all__ = [
    "Backoff",
    "DuplicateTaskError",
    "EnqueueError",
    "Envelope",
    "EnvelopeError",
    "InvalidTaskArgumentsError",
    "OffloadError",
    "PermanentTaskError",
    "Reason",
    "TaskArgumentsError",
    "TaskContext",
    "TaskRegistry",
    "TaskRejectedError",
    "TaskSpec",
    "TaskTimingError",
    "UnknownQueueError",
    "UnknownTaskError",
    "UnregisteredTaskError",
    "__version__",
    "current_task",
    "registry",
    "task",
]
