"""app.logs: the notification log in the template's table (moto). The recent entries are
today's and yesterday's, by the UTC day, newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.logs import LogStore
from app.table import Table

NOON = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


def test_the_recent_entries_are_todays_and_yesterdays_newest_first(dynamodb: Any) -> None:
    logs = LogStore(Table("DataTable", lambda: dynamodb), timedelta(days=7))
    for entry_id, at in [
        ("day-before", NOON - timedelta(days=2)),
        ("yesterday-23h", NOON - timedelta(hours=13)),
        ("yesterday-last-second", NOON - timedelta(hours=12, seconds=1)),
        ("midnight", NOON - timedelta(hours=12)),
        ("this-morning", NOON - timedelta(hours=1)),
    ]:
        logs.write("sent", entry_id=entry_id, created_at=at, correlation_id=None)

    recent = logs.recent(now=NOON)

    assert [entry.id for entry in recent] == [
        "this-morning",
        "midnight",
        "yesterday-last-second",
        "yesterday-23h",
    ]
    # and no more than asked for, today's first
    assert [entry.id for entry in logs.recent(limit=3, now=NOON)] == [
        "this-morning",
        "midnight",
        "yesterday-last-second",
    ]
