from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from offload_local.scheduler.expressions import ScheduleExpressionError, check, next_run

CREATED = datetime(2026, 12, 1, 10, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "after", "due"),
    [
        # One time: due once, in the schedule's zone.
        ("at(2026-12-01T12:00:00)", CREATED, datetime(2026, 12, 1, 12, 0, tzinfo=UTC)),
        ("at(2026-12-01T12:00:00)", datetime(2026, 12, 1, 12, 0, tzinfo=UTC), None),
        # A rate counts from the schedule's creation.
        ("rate(5 minutes)", CREATED, CREATED + timedelta(minutes=5)),
        ("rate(1 hour)", CREATED + timedelta(minutes=61), CREATED + timedelta(hours=2)),
        # Cron: the next matching minute strictly after.
        ("cron(0 3 * * ? *)", CREATED, datetime(2026, 12, 2, 3, 0, tzinfo=UTC)),
        ("cron(*/15 * * * ? *)", CREATED, datetime(2026, 12, 1, 10, 15, tzinfo=UTC)),
        # 2026-12-01 is a Tuesday; MON-FRI, 9:30.
        ("cron(30 9 ? * MON-FRI *)", CREATED, datetime(2026, 12, 2, 9, 30, tzinfo=UTC)),
        ("cron(0 0 1 JAN ? *)", CREATED, datetime(2027, 1, 1, 0, 0, tzinfo=UTC)),
        ("cron(0 0 ? * 1 2027)", CREATED, datetime(2027, 1, 3, 0, 0, tzinfo=UTC)),
    ],
)
def test_next_run(expression: str, after: datetime, due: datetime | None) -> None:
    assert next_run(expression, after, CREATED) == due


def test_a_schedule_in_another_zone_fires_at_that_zones_time() -> None:
    due = next_run("cron(0 3 * * ? *)", CREATED, CREATED, "Europe/Paris")
    assert due == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "expression",
    ["cron(0 3 L * ? *)", "cron(0 3 15W * ? *)", "cron(0 3 ? * 2#1 *)", "cron(0 3 * * * *)"],
)
def test_forms_it_cannot_fire_exactly_are_refused(expression: str) -> None:
    with pytest.raises(ScheduleExpressionError):
        check(expression)
