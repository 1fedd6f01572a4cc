from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo

import pytest

from offload.exceptions import TaskTimingError
from offload.timing import due_after, due_at, needs_schedule, queue_delay_seconds

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class NoOffset(tzinfo):
    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "?"


@pytest.mark.parametrize(
    ("delay", "scheduled", "seconds"),
    [
        (timedelta(0), False, 0),
        (timedelta(seconds=1.2), False, 2),
        (timedelta(minutes=15), False, 900),
        (timedelta(minutes=15, seconds=1), True, 900),
        (timedelta(days=365), True, 900),
    ],
)
def test_up_to_15_minutes_sqs_holds_the_task_beyond_a_schedule_does(
    delay: timedelta, scheduled: bool, seconds: int
) -> None:
    due = due_after(delay, NOW)
    assert due == NOW + delay
    assert needs_schedule(due, NOW) is scheduled
    assert queue_delay_seconds(due, NOW) == seconds


@pytest.mark.parametrize(
    ("delay", "message"),
    [
        (timedelta(seconds=-90), "a task cannot run 0:01:30 ago: the delay must be 0 or more"),
        (
            timedelta(days=365, seconds=1),
            "a task can run at most 365 days ahead, not 365 days, 0:00:01",
        ),
    ],
)
def test_a_delay_below_zero_or_beyond_a_year_is_refused(delay: timedelta, message: str) -> None:
    with pytest.raises(TaskTimingError, match=f"^{re.escape(message)}$"):
        due_after(delay, NOW)


def test_a_time_must_be_aware_and_not_past() -> None:
    assert due_at(NOW.astimezone(timezone(timedelta(hours=2))), NOW) == NOW
    with pytest.raises(TaskTimingError, match="no time zone"):
        due_at(datetime(2026, 12, 1, 13, 0), NOW)
    # Aware, by Python's definition, only when the zone gives an offset.
    with pytest.raises(TaskTimingError, match="no time zone"):
        due_at(datetime(2026, 12, 1, 13, 0, tzinfo=NoOffset()), NOW)
    with pytest.raises(TaskTimingError, match="in the past"):
        due_at(NOW - timedelta(seconds=1), NOW)


def test_a_task_due_now_or_without_a_time_is_not_delayed() -> None:
    assert queue_delay_seconds(None, NOW) == 0
    assert queue_delay_seconds(NOW - timedelta(seconds=5), NOW) == 0
    assert not needs_schedule(None, NOW)
