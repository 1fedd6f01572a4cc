"""When a retryable failure comes back: capped exponential backoff with full jitter (the consumer
applies it through the message's visibility: offload.visibility)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from offload.visibility import MAX_VISIBILITY_SECONDS


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1 is random in [0, min(cap, base * 2**(n-1))] ("full jitter")."""

    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> int:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        # Never zero: a zero timeout would hand the message straight back to a poller.
        return max(1, min(MAX_VISIBILITY_SECONDS, int(ceiling * rand() + 0.5)))
