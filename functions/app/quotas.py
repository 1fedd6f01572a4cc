"""Daily quotas: how much of something one subject may use in a UTC day (emails to an address,
bytes uploaded by a user), counted atomically in DynamoDB and forgotten by TTL.

A charge is one conditional UpdateItem: the counter grows only while it stays within the limit,
so concurrent requests can never take more than the quota between them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.table import ConditionFailedError

if TYPE_CHECKING:
    from app.table import Table


class QuotaExceededError(Exception):
    """Raise when a charge would take a subject past its daily limit."""

    def __init__(self, what: str, limit: int, retry_after: int) -> None:
        super().__init__(f"daily quota of {limit} {what} reached; try again in {retry_after} s")
        self.what = what
        self.limit = limit
        #: Seconds until the quota starts afresh (the next UTC midnight).
        self.retry_after = retry_after


class DailyQuota:
    """`limit` units of `what` per subject per UTC day. Keys: QUOTA#<kind>#<subject>, <day>."""

    def __init__(
        self,
        table: Table,
        kind: str,
        what: str,
        limit: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._table = table
        self._kind = kind
        self._what = what
        self._limit = limit
        self._clock = clock

    def charge(self, subject: str, amount: int = 1) -> None:
        """Count `amount` against today's quota, or raise QuotaExceededError and count nothing."""
        now = self._clock()
        if amount > self._limit:
            raise QuotaExceededError(self._what, self._limit, _until_tomorrow(now))
        try:
            self._table.update(
                self._key(subject, now),
                "ADD used :amount SET expires_at = :expires",
                condition="attribute_not_exists(used) OR used <= :room",
                expression_values={
                    ":amount": amount,
                    ":room": self._limit - amount,
                    ":expires": int(_tomorrow(now).timestamp()) + 86_400,
                },
            )
        except ConditionFailedError:
            raise QuotaExceededError(self._what, self._limit, _until_tomorrow(now)) from None

    def refund(self, subject: str, amount: int = 1) -> None:
        """Give back a charge whose work never happened (its request was answered 503)."""
        self._table.update(
            self._key(subject, self._clock()),
            "ADD used :amount",
            condition="attribute_exists(used)",
            expression_values={":amount": -amount},
        )

    def used(self, subject: str) -> int:
        """Units counted today (for tests and operators)."""
        values = self._table.get(self._key(subject, self._clock()), consistent=True) or {}
        return int(values.get("used", 0))

    def _key(self, subject: str, now: datetime) -> dict[str, str]:
        return {"pk": f"QUOTA#{self._kind}#{subject.casefold()}", "sk": f"{now:%Y-%m-%d}"}


def _tomorrow(now: datetime) -> datetime:
    return datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)


def _until_tomorrow(now: datetime) -> int:
    return max(1, int((_tomorrow(now) - now).total_seconds()))
