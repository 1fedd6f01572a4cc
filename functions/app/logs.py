"""The notification log: entries written by the worker, read back by the API (DynamoDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from app.table import Record, values_of

if TYPE_CHECKING:
    from app.table import Table


class LogEntry(Record):
    id: str
    message: str
    created_at: datetime
    correlation_id: str | None = None


def _partition(day: datetime) -> str:
    # One partition per day keeps writes spread out and "recent" a query, not a scan.
    return f"LOG#{day:%Y-%m-%d}"


class LogStore:
    def __init__(self, table: Table, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    def write(
        self, message: str, *, entry_id: str, created_at: datetime, correlation_id: str | None
    ) -> LogEntry:
        """Store an entry. Writing the same id again overwrites it: retries add nothing."""
        entry = LogEntry(
            id=entry_id, message=message, created_at=created_at, correlation_id=correlation_id
        )
        self._table.put(
            {
                "pk": _partition(created_at),
                "sk": f"{created_at.isoformat()}#{entry_id}",
                "expires_at": int((created_at + self._retention).timestamp()),
            }
            | values_of(entry)
        )
        return entry

    def recent(self, limit: int = 50, now: datetime | None = None) -> list[LogEntry]:
        """The newest entries of today and yesterday, newest first."""
        today = now or datetime.now(UTC)
        entries: list[LogEntry] = []
        for day in (today, today - timedelta(days=1)):
            if len(entries) >= limit:
                break
            entries += map(
                LogEntry.model_validate,
                self._table.query(
                    "pk = :pk",
                    {":pk": _partition(day)},
                    forward=False,
                    limit=limit - len(entries),
                ),
            )
        return entries
