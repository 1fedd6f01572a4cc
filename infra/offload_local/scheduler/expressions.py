"""When a schedule is next due: EventBridge Scheduler's at(), rate() and cron() expressions.

Cron is AWS's six-field form (minutes hours day-of-month month day-of-week year; day-of-week 1-7
from Sunday, or SUN-SAT; one of the two day fields is '?'). The L, W and # forms are refused by
name: the local cloud would rather stop than fire at the wrong time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from offload_local.errors import InfraError

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\(([^()]+)\)$")
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_DAYS = {d: i + 1 for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"])}
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleExpressionError(InfraError):
    """Raise when a schedule expression cannot be run locally."""


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: '?'
    months: frozenset[int]
    weekdays: frozenset[int] | None  # 1 = Sunday; None: '?'
    years: frozenset[int] | None  # None: '*'

    def matches(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1
        return (
            moment.minute in self.minutes
            and moment.hour in self.hours
            and moment.month in self.months
            and (self.days is None or moment.day in self.days)
            and (self.weekdays is None or weekday in self.weekdays)
            and (self.years is None or moment.year in self.years)
        )

    def _date_matches(self, moment: datetime) -> bool:
        weekday = moment.isoweekday() % 7 + 1
        return (
            moment.month in self.months
            and (self.days is None or moment.day in self.days)
            and (self.weekdays is None or weekday in self.weekdays)
            and (self.years is None or moment.year in self.years)
        )

    def next_after(self, after: datetime) -> datetime | None:
        """The first matching minute strictly after `after` (in `after`'s zone)."""
        moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
        limit = moment + timedelta(days=366 * 5)
        while moment < limit:
            if not self._date_matches(moment):
                moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
            elif moment.hour not in self.hours:
                moment = (moment + timedelta(hours=1)).replace(minute=0)
            elif moment.minute not in self.minutes:
                moment += timedelta(minutes=1)
            else:
                return moment
        return None


def _values(field: str, low: int, high: int, names: dict[str, int], what: str) -> frozenset[int]:
    found: set[int] = set()
    for part in field.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            step = int(step_text)
        if part in ("*", ""):
            start, end = low, high
        elif "-" in part:
            first, last = part.split("-", 1)
            start, end = _number(first, names, what), _number(last, names, what)
        else:
            start = _number(part, names, what)
            end = high if "/" in field else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleExpressionError(f"{what} {field!r} is outside {low}-{high}")
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _number(text: str, names: dict[str, int], what: str) -> int:
    if text.upper() in names:
        return names[text.upper()]
    if not text.isdigit():
        raise ScheduleExpressionError(
            f"{what} {text!r} is not a value (the L, W and # forms are not run locally)"
        )
    return int(text)


def parse_cron(expression: str) -> Cron:
    match = _CRON.match(expression)
    if match is None:
        raise ScheduleExpressionError(f"{expression!r} is not a cron() expression")
    fields = match[1].split()
    if len(fields) != 6:
        raise ScheduleExpressionError(f"{expression!r}: cron takes six fields")
    minute, hour, day, month, weekday, year = fields
    if (day == "?") == (weekday == "?"):
        raise ScheduleExpressionError(f"{expression!r}: one of the day fields must be '?'")
    return Cron(
        minutes=_values(minute, 0, 59, {}, "minutes"),
        hours=_values(hour, 0, 23, {}, "hours"),
        days=None if day == "?" else _values(day, 1, 31, {}, "day-of-month"),
        months=_values(month, 1, 12, _MONTHS, "month"),
        weekdays=None if weekday == "?" else _values(weekday, 1, 7, _DAYS, "day-of-week"),
        years=None if year == "*" else _values(year, 1970, 2199, {}, "year"),
    )


def check(expression: str) -> None:
    """Raise ScheduleExpressionError if the expression cannot be fired locally."""
    if _AT.match(expression) or _RATE.match(expression):
        return
    parse_cron(expression)


def next_run(
    expression: str,
    after: datetime,
    created: datetime,
    timezone: str = "UTC",
) -> datetime | None:
    """When the schedule is next due strictly after `after` (None: never again). A rate counts
    from the schedule's creation; at() and cron() read in the schedule's time zone."""
    zone = ZoneInfo(timezone) if timezone != "UTC" else UTC
    at = _AT.match(expression)
    if at is not None:
        due = datetime.fromisoformat(at[1]).replace(tzinfo=zone).astimezone(UTC)
        return due if due > after else None
    rate = _RATE.match(expression)
    if rate is not None:
        period = timedelta(seconds=int(rate[1]) * _UNITS[rate[2].rstrip("s")])
        elapsed = max(after - created, timedelta(0))
        return created + period * (elapsed // period + 1)
    found = parse_cron(expression).next_after(after.astimezone(zone))
    return found.astimezone(UTC) if found is not None else None


def is_one_time(expression: str) -> bool:
    return _AT.match(expression) is not None
