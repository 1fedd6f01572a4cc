"""offload.retry: when a retryable failure comes back."""

from __future__ import annotations

import pytest

from offload import Backoff
from offload.visibility import MAX_VISIBILITY_SECONDS


@pytest.mark.parametrize(("attempt", "ceiling"), [(1, 2), (2, 4), (3, 8), (9, 300), (50, 300)])
def test_backoff_is_capped_exponential_with_full_jitter(attempt: int, ceiling: int) -> None:
    backoff = Backoff(base_seconds=2, cap_seconds=300)

    assert backoff.delay(attempt, rand=lambda: 1.0) == ceiling
    assert backoff.delay(attempt, rand=lambda: 0.0) == 1  # never zero
    assert 1 <= backoff.delay(attempt) <= ceiling


def test_backoff_never_exceeds_what_sqs_accepts() -> None:
    assert Backoff(base_seconds=3600, cap_seconds=10**9).delay(30, rand=lambda: 1.0) == (
        MAX_VISIBILITY_SECONDS
    )
