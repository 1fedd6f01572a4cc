"""What one delivery of a message came to, decided once (`decide`, or by the run itself), acted on
once (the consumer), then recorded (the hooks). Each outcome knows what the consumer does with
its message, which transition its row takes, and which metric it counts as:

| outcome | message | row | metric |
|---|---|---|---|
| Succeeded | acknowledged | succeeded (written by the run) | TasksSucceeded |
| AlreadyDone | acknowledged (a duplicate, a finished task redriven) | as it is | none |
| Cancelled | acknowledged (the row says cancelled) | as it is | none |
| Retry | delivered again after its backoff | retrying | TasksRetried |
| Deferred | delivered again (another run holds it; no time left to start) | as it is | none |
| Rejected | acknowledged (the user's input cannot be used) | failed | TasksRejected |
| Failed | dead-lettered at once, then acknowledged | failed | TasksFailed |
| Exhausted | dead-lettered (no attempt left), acknowledged | dead_lettered | TasksDeadLettered |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from offload.exceptions import (
    HeldElsewhereError,
    NewerEnvelopeError,
    PermanentTaskError,
    RetriesExhaustedError,
    TaskRejectedError,
)
from offload.lifecycle import DEAD_LETTER, FAIL, RETRY, Transition
from offload.reasons import NEWER_ENVELOPE, TEMPORARY_ERROR, UNREAD_ENVELOPE, Reason
from offload.retry import Backoff


@dataclass(frozen=True)
class Outcome:
    """What the consumer does with the message is told by the outcome's type (DeadLettering,
    Redelivery, or else acknowledged)."""

    #: The row's transition once the consumer has acted (None: the row is left as it is).
    transition: ClassVar[Transition | None] = None
    #: What the delivery counts as (None: the task's code did not run in it).
    metric: ClassVar[str | None] = None


@dataclass(frozen=True)
class Succeeded(Outcome):
    metric = "TasksSucceeded"


@dataclass(frozen=True)
class AlreadyDone(Outcome):
    """The task succeeded before: this delivery is a duplicate."""


@dataclass(frozen=True)
class Cancelled(Outcome):
    """The task's row says cancelled: it must not run."""


@dataclass(frozen=True)
class Retry(Outcome):
    """Deliver again in `delay_seconds` (None: when the queue's visibility timeout says)."""

    transition = RETRY
    metric = "TasksRetried"

    delay_seconds: int | None
    detail: str
    reason: Reason = TEMPORARY_ERROR


@dataclass(frozen=True)
class Deferred(Outcome):
    """Deliver again without running: another run holds the task, or the invocation is about to
    end. The row is another run's to write, or the next delivery's."""

    delay_seconds: int | None
    detail: str


@dataclass(frozen=True)
class Failure(Outcome):
    """A run that ended, and will not run again unless its message is redriven."""

    #: What the task's owner may read: a stable code and a short message.
    reason: Reason
    #: For the logs (and, dead-lettered, for the operator reading the DLQ): the exception.
    detail: str


@dataclass(frozen=True)
class Rejected(Failure):
    """The user's own input cannot be processed: the task fails with a public reason, and
    nobody is paged."""

    transition = FAIL
    metric = "TasksRejected"


@dataclass(frozen=True)
class Failed(Failure):
    """Retrying cannot help: an operator must look (the dead-letter queue, with the detail)."""

    transition = FAIL
    metric = "TasksFailed"


@dataclass(frozen=True)
class Exhausted(Failure):
    """A retryable failure on the last allowed attempt: dead-lettered with the reason."""

    transition = DEAD_LETTER
    metric = "TasksDeadLettered"


#: The outcomes a task's row records once the consumer has acted (each has its transition).
Recorded = Retry | Failure
#: The outcomes whose message goes to the dead-letter queue, and those delivered again.
DeadLettering = Failed | Exhausted
Redelivery = Retry | Deferred


def decide(exc: BaseException, attempt: int, max_attempts: int, backoff: Backoff) -> Outcome:
    """The one place where an exception from a delivery becomes an outcome."""
    if isinstance(exc, TaskRejectedError):
        return Rejected(exc.reason, str(exc))
    if isinstance(exc, PermanentTaskError):
        return Failed(exc.reason, f"{type(exc).__name__}: {exc}")
    delay = backoff.delay(attempt)
    if isinstance(exc, HeldElsewhereError):
        # Another run holds the task; its outcome will be recorded, not ours.
        return Deferred(delay, "already running elsewhere")
    detail = f"{type(exc).__name__}: {exc}"
    newer = isinstance(exc, NewerEnvelopeError)
    if attempt >= max_attempts:
        exhausted = RetriesExhaustedError(f"gave up after {attempt} attempts: {detail}")
        reason = UNREAD_ENVELOPE if newer else exhausted.reason
        return Exhausted(reason, f"{type(exhausted).__name__}: {exhausted}")
    return Retry(delay, detail, NEWER_ENVELOPE if newer else TEMPORARY_ERROR)
