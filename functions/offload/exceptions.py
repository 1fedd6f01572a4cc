"""Errors of the task system, one flat module as users catch them by name."""

from __future__ import annotations

from typing import ClassVar

from offload.reasons import Reason


class OffloadError(Exception):
    """Base class of every error raised by offload."""


class ConfigurationError(OffloadError, RuntimeError):
    """Raise when the environment lacks a variable a part needs, or holds one it cannot use."""


class DuplicateTaskError(OffloadError, ValueError):
    """Raise when two different functions claim the same task name."""


class UnregisteredTaskError(OffloadError, TypeError):
    """Raise when add_task is given a function that was not registered with @task."""


class TaskArgumentsError(OffloadError, ValueError):
    """Raise when arguments do not fit the task's signature or type hints."""


class TaskTimingError(OffloadError, ValueError):
    """Raise when a task is added for a time it cannot run at: a negative delay, a time in the
    past or without a time zone, or later than the scheduler's limit."""


class UnknownQueueError(OffloadError, LookupError):
    """Raise when a task names a queue the function is not configured with."""


class EnqueueError(OffloadError):
    """Raise when the queue still refuses tasks after the retries."""

    def __init__(self, message: str, task_ids: list[str]) -> None:
        super().__init__(message)
        self.task_ids = task_ids


class PermanentTaskError(OffloadError):
    """Raise from a task when retrying cannot help and an operator must look: the message goes
    to the dead-letter queue with the detail, the status says `failed` with a public reason.

    `code` and `message` are that public reason (stable code, short text); the exception's own
    text is the detail, for logs and the dead-letter queue only.
    """

    code: ClassVar[str] = "permanent_error"
    message: ClassVar[str] = "The task failed and cannot succeed by retrying."

    def __init__(self, detail: str = "", *, code: str | None = None, message: str | None = None):
        super().__init__(detail)
        self._reason = Reason(code=code or type(self).code, message=message or type(self).message)

    @property
    def reason(self) -> Reason:
        return self._reason


class EnvelopeError(PermanentTaskError):
    """Raise when a message body is not a task envelope this worker understands."""

    code = "invalid_envelope"
    message = "The queued message is not a task this worker understands."


class UnknownTaskError(PermanentTaskError):
    """Raise when a message names a task that is not registered in this worker."""

    code = "unknown_task"
    message = "The task is not known to the worker."


class InvalidTaskArgumentsError(PermanentTaskError):
    """Raise when a queued task's arguments no longer validate against its type hints."""

    code = "invalid_arguments"
    message = "The task's arguments are not valid for it."


class RetriesExhaustedError(PermanentTaskError):
    """Raise when a task failed on its last allowed attempt: it is dead-lettered with the reason."""

    code = "retries_exhausted"
    message = "The task kept failing and was set aside for an operator."


class TaskRejectedError(OffloadError):
    """Raise from a task when the input its user gave cannot be processed (data that does not
    parse, a number that overflows, a file that is not what it claims): the task ends `failed`
    with this public reason and is acknowledged. Never retried, never dead-lettered: it is the
    user's to fix, not an operator's."""

    def __init__(self, code: str, message: str, detail: str = "") -> None:
        super().__init__(detail or message)
        self.reason = Reason(code=code, message=message)


class NewerEnvelopeError(OffloadError):
    """Raise when a message is an envelope of a version this worker does not know yet: a newer
    API queued it, and the worker that reads it is minutes away (a deploy in progress). Retried
    with backoff like any failure; dead-lettered, saying so, only once its attempts run out."""

    def __init__(self, version: object) -> None:
        super().__init__(f"envelope version {version!r} is newer than this worker reads")
        self.version = version


class HeldElsewhereError(OffloadError):
    """Raise when another run holds the task's row (its lock has not ended): retried later, its
    outcome is the other run's to record."""


class StartRefusedError(OffloadError):
    """Raise when a task's row may not start a run now; `current` is the row as it stands."""

    def __init__(self, current: dict[str, object] | None) -> None:
        super().__init__("the task may not start now")
        self.current = current or {}

    @property
    def status(self) -> str | None:
        status = self.current.get("status")
        return str(status) if status is not None else None


class NotScheduledError(OffloadError):
    """Raise when a task cannot be cancelled: it is not (or no longer) `scheduled`."""

    def __init__(self, status: str | None) -> None:
        super().__init__(f"the task is {status or 'gone'}, not scheduled")
        self.status = status
