"""Quotas: how much of something one subject may use in a window of time (emails to an address,
bytes uploaded, datasets and items created by a user in a UTC day; a user's writes in a few
seconds), counted atomically in DynamoDB and forgotten by TTL.

A charge is one conditional UpdateItem: the counter grows only while it stays within the limit,
so concurrent requests can never take more than the quota between them, and a refused charge
changes nothing. Windows are fixed and aligned to the Unix epoch, so a day's window is a UTC day.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.table import ConditionFailedError

if TYPE_CHECKING:
    from app.table import Table

DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class QuotaExceededError(Exception):
    """Raise when a charge would take a subject past its limit for the current window."""

    def __init__(self, what: str, limit: int, retry_after: int, window: timedelta = DAY) -> None:
        super().__init__(f"quota of {limit} {what} reached; try again in {retry_after} s")
        self.what = what
        self.limit = limit
        #: Whole seconds until the next window starts (for a daily quota, the next UTC midnight).
        self.retry_after = retry_after
        self.window = window


class Quota:
    """`limit` units of `what` per subject in each `window` of time (a UTC day by default).

    Keys: QUOTA#<kind>#<subject>, <window start> (the day, for a daily quota). Subjects are
    compared without case when `fold_case` (email addresses); a user's `sub` is an identifier
    whose case OpenID Connect keeps, so quotas keyed by it pass False.
    """

    def __init__(
        self,
        table: Table,
        kind: str,
        what: str,
        limit: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        window: timedelta = DAY,
        fold_case: bool = True,
    ) -> None:
        self._table = table
        self._kind = kind
        self._what = what
        self._limit = limit
        self._window = window
        self._clock = clock
        self._fold_case = fold_case

    def charge(self, subject: str, amount: int = 1) -> None:
        """Count `amount` against the current window, or raise QuotaExceededError and count
        nothing."""
        now = self._clock()
        start = self._start(now)
        end = start + self._window
        if amount > self._limit:
            raise self._exceeded(now, end)
        try:
            self._table.update(
                self._key(subject, start),
                "ADD used :amount SET expires_at = :expires",
                condition="attribute_not_exists(used) OR used <= :room",
                expression_values={
                    ":amount": amount,
                    ":room": self._limit - amount,
                    # Kept one window past its end (operators may look), then TTL's to delete.
                    ":expires": math.ceil((end + self._window).timestamp()),
                },
            )
        except ConditionFailedError:
            raise self._exceeded(now, end) from None

    def refund(self, subject: str, amount: int = 1) -> None:
        """Give back a charge whose work never happened (its request was answered 503)."""
        self._table.update(
            self._key(subject, self._start(self._clock())),
            "ADD used :amount",
            condition="attribute_exists(used)",
            expression_values={":amount": -amount},
        )

    def used(self, subject: str) -> int:
        """Units counted in the current window (for tests and operators)."""
        key = self._key(subject, self._start(self._clock()))
        values = self._table.get(key, consistent=True) or {}
        return int(values.get("used", 0))

    def _start(self, now: datetime) -> datetime:
        return _EPOCH + (now - _EPOCH) // self._window * self._window

    def _exceeded(self, now: datetime, end: datetime) -> QuotaExceededError:
        retry_after = max(1, math.ceil((end - now).total_seconds()))
        return QuotaExceededError(self._what, self._limit, retry_after, self._window)

    def _key(self, subject: str, start: datetime) -> dict[str, str]:
        name = subject.casefold() if self._fold_case else subject
        window = (
            f"{start:%Y-%m-%d}" if self._window == DAY else start.isoformat("T", "milliseconds")
        )
        return {"pk": f"QUOTA#{self._kind}#{name}", "sk": window}


class DailyQuota(Quota):
    """`limit` units of `what` per subject per UTC day: a Quota of the default window, the
    type of the application's daily limits."""


def write_rate(
    table: Table,
    per_second: float,
    burst: int,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Quota:
    """A user's writes: `burst` at once, `per_second` on average, keyed by the user's `sub`.

    A fixed window of burst/per_second seconds that takes `burst` writes. Why not a token bucket
    or GCRA: their refill is max(stored time, now) + interval, which no single UpdateItem can
    compute, so each request would cost a read and a conditional write, or a second write when
    the first guess is wrong; here every request, refused or not, costs one conditional write
    (the price the quota pays), with no read, and concurrent requests cannot pass the limit.
    The price of a fixed window: around its edge a caller can make up to 2 x burst writes in a
    moment, and no more than that in any window's length; over time, never above the rate.
    """
    window = timedelta(seconds=burst / per_second)
    return Quota(table, "WRITES", "writes", burst, clock, window=window, fold_case=False)
