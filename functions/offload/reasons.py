"""Why a task ended the way it did, as its owner may read it: a stable code and a short message.

The raw exception (which can name an account, a role or a table) goes to the logs and, for an
operator, to the dead-letter queue; never into a status the API returns.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Reason(BaseModel):
    """A public reason: `code` is stable for programs to branch on, `message` is for people."""

    model_config = ConfigDict(frozen=True)

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    message: str = Field(max_length=300)


#: A retryable error: the next attempt may succeed.
TEMPORARY_ERROR = Reason(code="temporary_error", message="The task failed and will be retried.")
#: A retryable error on the last allowed attempt: an operator has it in the dead-letter queue.
RETRIES_EXHAUSTED = Reason(
    code="retries_exhausted",
    message="The task kept failing and was set aside for an operator.",
)
#: SQS took the task for a request that was answered 503; it never runs.
CANCELLED = Reason(
    code="cancelled", message="The request that added this task was refused; it will not run."
)
#: Its owner cancelled a task added for later before it started.
UNSCHEDULED = Reason(code="cancelled", message="The task was cancelled before it was due.")
#: An envelope of a version newer than this worker reads: a deploy is in progress, and the
#: worker that reads it is minutes away.
NEWER_ENVELOPE = Reason(
    code="newer_envelope",
    message="The task was queued by a newer version; it waits for the worker to be updated.",
)
#: The same envelope, its attempts run out without a worker that reads it.
UNREAD_ENVELOPE = Reason(
    code="unsupported_envelope_version",
    message="The task was queued by a newer version than the worker runs, which never came.",
)
