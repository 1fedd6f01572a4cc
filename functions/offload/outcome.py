"""What running one message came to, decided once (`decide`), acted on once (the consumer), and
then recorded by the hooks:

- Succeeded: the task returned (or had already, or was cancelled). Acknowledged; its row says
  succeeded (written by the idempotency layer), or is left as it is.
- Retry: an ordinary error, another run holding the task, or too little time left. The message
  is delayed and listed as failed; its row says retrying, or is left to the other run.
- Rejected: the user's input cannot be processed (TaskRejectedError). Acknowledged; its row
  says failed, with the public reason.
- DeadLetter: a permanent error, or retries exhausted. Sent to the dead-letter queue, then
  acknowledged; its row says failed or dead_lettered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from offload.exceptions import PermanentTaskError, RetriesExhaustedError, TaskRejectedError
from offload.reasons import TEMPORARY_ERROR, Reason

if TYPE_CHECKING:
    from offload.context import TaskContext
    from offload.retry import Backoff


@dataclass(frozen=True)
class Succeeded:
    #: False when the effect did not run now: done before (a duplicate) or cancelled.
    ran: bool = True
    cancelled: bool = False


@dataclass(frozen=True)
class Retry:
    """Deliver again in `delay_seconds` (None: when the queue's visibility timeout says)."""

    delay_seconds: int | None
    detail: str
    #: Whether the task's row says so (`retrying`): not when another run holds the task, nor
    #: when it was handed back unstarted.
    record: bool = True
    reason: Reason = TEMPORARY_ERROR


@dataclass(frozen=True)
class Rejected:
    reason: Reason
    detail: str


@dataclass(frozen=True)
class DeadLetter:
    reason: Reason
    #: For the operator reading the dead-letter queue: the exception, in full.
    detail: str
    state: Literal["failed", "dead_lettered"] = "failed"


Outcome = Succeeded | Retry | Rejected | DeadLetter


def decide(exc: BaseException, task: TaskContext, max_attempts: int, backoff: Backoff) -> Outcome:
    """The one place where an exception from a run becomes an outcome."""
    if isinstance(exc, TaskRejectedError):
        return Rejected(exc.reason, str(exc))
    if isinstance(exc, PermanentTaskError):
        return DeadLetter(exc.reason, f"{type(exc).__name__}: {exc}")
    delay = backoff.delay(task.attempt)
    if type(exc).__name__ == "IdempotencyAlreadyInProgressError":
        # Another run holds the task; its outcome will be recorded, not ours.
        return Retry(delay, "already running elsewhere", record=False)
    detail = f"{type(exc).__name__}: {exc}"
    if task.attempt >= max_attempts:
        exhausted = RetriesExhaustedError(f"gave up after {task.attempt} attempts: {detail}")
        return DeadLetter(
            exhausted.reason, f"{type(exhausted).__name__}: {exhausted}", "dead_lettered"
        )
    return Retry(delay, detail)
