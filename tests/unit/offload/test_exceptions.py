"""offload.exceptions: what an error raised without a detail says."""

from __future__ import annotations

from offload import PermanentTaskError, TaskRejectedError


def test_a_permanent_error_without_a_detail_says_nothing_more() -> None:
    error = PermanentTaskError(code="email_rejected", message="The address refused the email.")

    assert str(error) == ""
    assert (error.reason.code, error.reason.message) == (
        "email_rejected",
        "The address refused the email.",
    )


def test_a_rejection_without_a_detail_is_its_public_message() -> None:
    assert str(TaskRejectedError("invalid_data", "The data is not a table.")) == (
        "The data is not a table."
    )
