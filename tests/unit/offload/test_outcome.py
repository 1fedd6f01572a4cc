"""One exception, one outcome: the decision table of offload.outcome.decide."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from offload import PermanentTaskError, TaskRejectedError
from offload.context import TaskContext
from offload.exceptions import EnvelopeError, UnknownTaskError
from offload.outcome import DeadLetter, Rejected, Retry, decide
from offload.reasons import RETRIES_EXHAUSTED, TEMPORARY_ERROR, Reason
from offload.retry import Backoff


class IdempotencyAlreadyInProgressError(Exception):
    """Named as Powertools names it: decide() knows it by name, not by import."""


def task(attempt: int) -> TaskContext:
    return TaskContext(
        id="t", name="n", attempt=attempt, enqueued_at=datetime.now(UTC), correlation_id=None
    )


BACKOFF = Backoff(base_seconds=4, cap_seconds=4)


def test_a_rejection_is_the_users_with_its_public_reason() -> None:
    outcome = decide(TaskRejectedError("invalid_data", "Bad row.", "row 3"), task(1), 5, BACKOFF)

    assert outcome == Rejected(Reason(code="invalid_data", message="Bad row."), "row 3")


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (PermanentTaskError("disk full"), "permanent_error"),
        (PermanentTaskError("no", code="email_rejected", message="Refused."), "email_rejected"),
        (EnvelopeError("not JSON"), "invalid_envelope"),
        (UnknownTaskError("format_disk"), "unknown_task"),
    ],
)
def test_a_permanent_error_is_dead_lettered_as_failed(error: Exception, code: str) -> None:
    outcome = decide(error, task(1), 5, BACKOFF)

    assert isinstance(outcome, DeadLetter)
    assert (outcome.state, outcome.reason.code) == ("failed", code)
    # The detail, for the DLQ's reader, names the exception; the reason never does
    assert outcome.detail == f"{type(error).__name__}: {error}"


def test_an_ordinary_error_is_retried_with_backoff_and_a_generic_reason() -> None:
    outcome = decide(ConnectionError("arn:aws:iam::123456789012:role/x"), task(2), 5, BACKOFF)

    assert isinstance(outcome, Retry)
    assert outcome.record
    assert 1 <= (outcome.delay_seconds or 0) <= 4
    assert outcome.detail == "ConnectionError: arn:aws:iam::123456789012:role/x"
    assert outcome.reason == TEMPORARY_ERROR
    assert "123456789012" not in outcome.reason.message


def test_the_last_attempt_dead_letters_with_the_detail() -> None:
    outcome = decide(TimeoutError("SES"), task(5), 5, BACKOFF)

    assert outcome == DeadLetter(
        RETRIES_EXHAUSTED,
        "RetriesExhaustedError: gave up after 5 attempts: TimeoutError: SES",
        "dead_lettered",
    )


def test_a_run_elsewhere_is_retried_without_recording() -> None:
    # A backoff of one second at most: the delay is known.
    outcome = decide(IdempotencyAlreadyInProgressError("busy"), task(5), 5, Backoff(1, 1))

    # Not dead-lettered either, whatever the attempt: the other run decides
    assert outcome == Retry(1, "already running elsewhere", record=False)
