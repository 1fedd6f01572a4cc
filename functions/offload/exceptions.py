"""Errors of the task system, one flat module as users catch them by name."""


class OffloadError(Exception):
    """Base class of every error raised by offload."""


class DuplicateTaskError(OffloadError, ValueError):
    """Raise when two different functions claim the same task name."""


class UnregisteredTaskError(OffloadError, TypeError):
    """Raise when add_task is given a function that was not registered with @task."""


class TaskArgumentsError(OffloadError, ValueError):
    """Raise when arguments do not fit the task's signature or type hints."""


class EnqueueError(OffloadError):
    """Raise when the queue still refuses tasks after the retries."""

    def __init__(self, message: str, task_ids: list[str]) -> None:
        super().__init__(message)
        self.task_ids = task_ids


class PermanentTaskError(OffloadError):
    """Raise from a task when retrying cannot help: the message goes to the DLQ with this reason."""


class EnvelopeError(PermanentTaskError):
    """Raise when a message body is not a task envelope this worker understands."""


class UnknownTaskError(PermanentTaskError):
    """Raise when a message names a task that is not registered in this worker."""


class InvalidTaskArgumentsError(PermanentTaskError):
    """Raise when a queued task's arguments no longer validate against its type hints."""


class TaskCancelledError(OffloadError):
    """Raise when a task is about to start but its request was answered 503: it must not run."""


class RetriesExhaustedError(PermanentTaskError):
    """Raise when a task failed on its last allowed attempt: it is dead-lettered with the reason."""
