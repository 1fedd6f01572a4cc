"""One exception, one outcome: the decision table of offload.outcome.decide, and what each
outcome means for its message, its row and the metrics."""

from __future__ import annotations

import pytest

from offload import PermanentTaskError, TaskRejectedError
from offload.exceptions import (
    EnvelopeError,
    HeldElsewhereError,
    NewerEnvelopeError,
    UnknownTaskError,
)
from offload.lifecycle import DEAD_LETTER, FAIL, RETRY
from offload.outcome import (
    AlreadyDone,
    Cancelled,
    DeadLettering,
    Deferred,
    Exhausted,
    Failed,
    Outcome,
    Recorded,
    Redelivery,
    Rejected,
    Retry,
    Succeeded,
    decide,
)
from offload.reasons import (
    NEWER_ENVELOPE,
    RETRIES_EXHAUSTED,
    TEMPORARY_ERROR,
    UNREAD_ENVELOPE,
    Reason,
)
from offload.retry import Backoff

BACKOFF = Backoff(base_seconds=4, cap_seconds=4)
REASON = Reason(code="x", message="x")


def test_a_rejection_is_the_users_with_its_public_reason() -> None:
    outcome = decide(TaskRejectedError("invalid_data", "Bad row.", "row 3"), 1, 5, BACKOFF)

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
    outcome = decide(error, 1, 5, BACKOFF)

    assert isinstance(outcome, Failed)
    assert outcome.reason.code == code
    # The detail, for the DLQ's reader, names the exception; the reason never does
    assert outcome.detail == f"{type(error).__name__}: {error}"


def test_an_ordinary_error_is_retried_with_backoff_and_a_generic_reason() -> None:
    outcome = decide(ConnectionError("arn:aws:iam::123456789012:role/x"), 2, 5, BACKOFF)

    assert isinstance(outcome, Retry)
    assert 1 <= (outcome.delay_seconds or 0) <= 4
    assert outcome.detail == "ConnectionError: arn:aws:iam::123456789012:role/x"
    assert outcome.reason == TEMPORARY_ERROR
    assert "123456789012" not in outcome.reason.message


def test_the_last_attempt_dead_letters_with_the_detail() -> None:
    outcome = decide(TimeoutError("SES"), 5, 5, BACKOFF)

    assert outcome == Exhausted(
        RETRIES_EXHAUSTED, "RetriesExhaustedError: gave up after 5 attempts: TimeoutError: SES"
    )


def test_a_run_elsewhere_is_deferred_whatever_the_attempt() -> None:
    # A backoff of one second at most: the delay is known.
    outcome = decide(HeldElsewhereError("busy"), 5, 5, Backoff(1, 1))

    # Not dead-lettered, not recorded: the other run decides
    assert outcome == Deferred(1, "already running elsewhere")


def test_a_newer_envelope_waits_for_its_worker_then_is_dead_lettered_saying_so() -> None:
    waiting = decide(NewerEnvelopeError(2), 4, 5, Backoff(1, 1))
    given_up = decide(NewerEnvelopeError(2), 5, 5, Backoff(1, 1))

    assert waiting == Retry(
        1, "NewerEnvelopeError: envelope version 2 is newer than this worker reads", NEWER_ENVELOPE
    )
    assert isinstance(given_up, Exhausted)
    assert given_up.reason == UNREAD_ENVELOPE
    assert "envelope version 2 is newer" in given_up.detail


@pytest.mark.parametrize(
    ("outcome", "redelivered", "dead_lettered", "transition", "metric"),
    [
        (Succeeded(), False, False, None, "TasksSucceeded"),
        (AlreadyDone(), False, False, None, None),
        (Cancelled(), False, False, None, None),
        (Retry(1, "d"), True, False, RETRY, "TasksRetried"),
        (Deferred(1, "d"), True, False, None, None),
        (Rejected(REASON, "d"), False, False, FAIL, "TasksRejected"),
        (Failed(REASON, "d"), False, True, FAIL, "TasksFailed"),
        (Exhausted(REASON, "d"), False, True, DEAD_LETTER, "TasksDeadLettered"),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Outcome) else None,
)
def test_each_outcome_knows_its_message_its_row_and_its_metric(
    outcome: Outcome, redelivered: bool, dead_lettered: bool, transition: object, metric: str | None
) -> None:
    assert isinstance(outcome, Redelivery) is redelivered
    assert isinstance(outcome, DeadLettering) is dead_lettered
    assert outcome.transition is transition
    # Exactly the outcomes with a transition are recorded on the row, with their reason.
    assert isinstance(outcome, Recorded) is (transition is not None)
    assert outcome.metric == metric
