"""EventBridge Scheduler's schedule expressions, read as AWS reads them, and when each is next due.

Three forms (https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html):

- `at(yyyy-mm-ddThh:mm:ss)`: once, at that wall-clock time of the schedule's time zone.
- `rate(value unit)`: every `value` minutes, hours or days from the schedule's start; the unit is
  singular for 1 (`rate(1 hour)`) and plural otherwise (`rate(5 minutes)`). A day is 24 hours,
  whatever daylight saving time does to the clock.
- `cron(minutes hours day-of-month month day-of-week year)`: AWS's six fields, read in the
  schedule's time zone. Day-of-week is 1-7 from Sunday (or SUN-SAT), months 1-12 (or JAN-DEC),
  years 1970-2199. Exactly one of the two day fields is `?`. Each field takes what AWS's cron
  reference lists for it: lists (`,`), ranges (`-`, wrapping past the end as `20-2` does),
  `*`, steps (`/`) on `*`, on a range or from a single value (not in day-of-week); `L` (last day)
  and `W` (nearest weekday: `15W`, `LW`) in day-of-month; `L` (Saturday), `nL` (last such day of
  the month) and `n#k` (k-th such day) in day-of-week, each alone in its field. A wall-clock
  time that a change to daylight saving time skips is not run; one it repeats runs once.

Anything else raises ScheduleExpressionError naming the part that is wrong, so a periodic task
is refused when it is registered, and the local cloud refuses a template AWS would refuse.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Protocol, TypeAlias
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: The cron fields, in order, as AWS names them.
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
FIRST_YEAR, LAST_YEAR = 1970, 2199

# Written out: calendar's names follow the locale, AWS's do not.
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1
    )
}
_WEEKDAYS = {d: i for i, d in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
_UNITS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}
_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}")
_NUMBER = re.compile(r"[0-9]+")
#: One item of a field's list: *, a value or a range, perhaps with a step.
_PART = re.compile(r"(?P<base>\*|[0-9A-Z]+(?:-[0-9A-Z]+)?)(?:/(?P<step>[0-9]+))?")
_LAST_WEEKDAY = re.compile(r"([0-9]+|[A-Z]{3})L")


class ScheduleExpressionError(ValueError):
    """Raise when a schedule expression is not one EventBridge Scheduler takes; the message
    names the part that is wrong."""


class Days(Protocol):
    """Which days of a month a cron expression's day fields select, in order."""

    def in_month(self, year: int, month: int) -> list[int]: ...


@dataclass(frozen=True)
class At:
    """`at(...)`: once, at a wall-clock time of the schedule's time zone."""

    moment: datetime  # naive: read in the schedule's time zone

    def next_run(
        self, after: datetime, *, start: datetime | None = None, zone: tzinfo = UTC
    ) -> datetime | None:
        """The run, in UTC, if it comes strictly after `after`; None otherwise."""
        due = self.moment.replace(tzinfo=zone).astimezone(UTC)
        return due if due > after else None


@dataclass(frozen=True)
class Rate:
    """`rate(value unit)`: every `period`, from the schedule's start."""

    value: int
    unit: str  # minute, hour or day

    @property
    def period(self) -> timedelta:
        return self.value * _UNITS[self.unit]

    def next_run(
        self, after: datetime, *, start: datetime | None = None, zone: tzinfo = UTC
    ) -> datetime | None:
        """The first run strictly after `after`: runs fall at `start` plus whole periods (a
        rate counts elapsed time, so the time zone changes nothing)."""
        origin = after if start is None else start
        if after < origin:
            return origin
        try:
            return origin + self.period * ((after - origin) // self.period + 1)
        except OverflowError:  # beyond the year 9999
            return None


@dataclass(frozen=True)
class Cron:
    """`cron(...)`: the minutes, hours, days, months and years it runs at."""

    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days: Days
    months: tuple[int, ...]
    years: tuple[int, ...]

    def next_run(
        self, after: datetime, *, start: datetime | None = None, zone: tzinfo = UTC
    ) -> datetime | None:
        """The first run strictly after `after`, in UTC (None: never again); the fields are
        read as wall-clock time in `zone`."""
        first = after.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
        for day in self._dates_from(first.date()):
            for hour in self.hours:
                for minute in self.minutes:
                    wall = datetime.combine(day, time(hour, minute))
                    if wall < first:
                        continue
                    due = _instant(wall, zone)
                    if due is not None and due > after:
                        return due
        return None

    def _dates_from(self, first: date) -> Iterator[date]:
        for year in self.years:
            if year < first.year:
                continue
            for month in self.months:
                if (year, month) < (first.year, first.month):
                    continue
                for day in self.days.in_month(year, month):
                    when = date(year, month, day)
                    if when >= first:
                        yield when


def _instant(wall: datetime, zone: tzinfo) -> datetime | None:
    """The UTC instant of a wall-clock time (the first, if the clock repeats it); None if the
    clock skips it."""
    due = wall.replace(tzinfo=zone).astimezone(UTC)
    return due if due.astimezone(zone).replace(tzinfo=None) == wall else None


@dataclass(frozen=True)
class DaysOfMonth:
    """Day-of-month values (`1,15`, `1-7`, `*`)."""

    values: frozenset[int]

    def in_month(self, year: int, month: int) -> list[int]:
        last = calendar.monthrange(year, month)[1]
        return sorted(day for day in self.values if day <= last)


@dataclass(frozen=True)
class LastDayOfMonth:
    """`L`, or `LW`: the last day of the month, or its last weekday."""

    weekday: bool

    def in_month(self, year: int, month: int) -> list[int]:
        last = calendar.monthrange(year, month)[1]
        if not self.weekday:
            return [last]
        return [last - max(0, calendar.weekday(year, month, last) - 4)]


@dataclass(frozen=True)
class NearestWeekday:
    """`15W`: the weekday nearest that day, within the month (none if the month is shorter)."""

    day: int

    def in_month(self, year: int, month: int) -> list[int]:
        last = calendar.monthrange(year, month)[1]
        if self.day > last:
            return []
        weekday = calendar.weekday(year, month, self.day)  # Monday 0 ... Sunday 6
        if weekday == 5:  # Saturday: the Friday before, or the Monday after the 1st
            return [self.day + 2 if self.day == 1 else self.day - 1]
        if weekday == 6:  # Sunday: the Monday after, or the Friday before the last day
            return [self.day - 2 if self.day == last else self.day + 1]
        return [self.day]


@dataclass(frozen=True)
class DaysOfWeek:
    """Day-of-week values, 1 (Sunday) to 7 (Saturday)."""

    values: frozenset[int]

    def in_month(self, year: int, month: int) -> list[int]:
        last = calendar.monthrange(year, month)[1]
        return [day for day in range(1, last + 1) if _weekday(year, month, day) in self.values]


@dataclass(frozen=True)
class LastWeekdayOfMonth:
    """`6L`: the last Friday (of that day of the week) of the month."""

    weekday: int

    def in_month(self, year: int, month: int) -> list[int]:
        return DaysOfWeek(frozenset({self.weekday})).in_month(year, month)[-1:]


@dataclass(frozen=True)
class NthWeekdayOfMonth:
    """`3#2`: the second Tuesday of the month (none in a month without one)."""

    weekday: int
    nth: int

    def in_month(self, year: int, month: int) -> list[int]:
        found = DaysOfWeek(frozenset({self.weekday})).in_month(year, month)
        return found[self.nth - 1 : self.nth]


def _weekday(year: int, month: int, day: int) -> int:
    """AWS's day-of-week number: 1 for Sunday ... 7 for Saturday."""
    return (calendar.weekday(year, month, day) + 1) % 7 + 1


#: What an expression describes.
Schedule: TypeAlias = At | Rate | Cron


def parse(expression: str) -> Schedule:
    """The schedule an expression describes; ScheduleExpressionError naming what is wrong."""
    name, opening, rest = expression.partition("(")
    if not opening or not rest.endswith(")") or name not in ("at", "rate", "cron"):
        raise ScheduleExpressionError(
            f"{expression!r} is not a schedule expression: at(2027-01-01T09:00:00), "
            "rate(5 minutes) or cron(0 3 * * ? *)"
        )
    body = rest[:-1]
    if name == "at":
        return _at(body, expression)
    if name == "rate":
        return _rate(body, expression)
    return _cron(body, expression)


def parse_recurring(expression: str) -> Rate | Cron:
    """A recurring schedule (what a periodic task takes): rate() or cron(), not at()."""
    schedule = parse(expression)
    if isinstance(schedule, At):
        raise ScheduleExpressionError(
            f"{expression!r} runs once: a periodic task takes rate(...) or cron(...)"
        )
    return schedule


def time_zone(name: str) -> tzinfo:
    """A schedule's time zone (ScheduleExpressionTimezone), by its IANA name."""
    if name == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScheduleExpressionError(f"time zone {name!r} is not an IANA time zone") from None


def _at(body: str, expression: str) -> At:
    if not _AT.fullmatch(body):
        raise ScheduleExpressionError(f"{expression!r}: at() takes yyyy-mm-ddThh:mm:ss")
    try:
        return At(datetime.strptime(body, "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        raise ScheduleExpressionError(f"{expression!r}: {body} is not a date and time") from None


def _rate(body: str, expression: str) -> Rate:
    parts = body.split(" ")
    if len(parts) != 2:
        raise ScheduleExpressionError(
            f"{expression!r}: rate() takes a value and a unit, as rate(5 minutes)"
        )
    value_text, unit = parts
    if not _NUMBER.fullmatch(value_text) or int(value_text) < 1:
        raise ScheduleExpressionError(
            f"{expression!r}: the value {value_text!r} is not a whole number of at least 1"
        )
    value = int(value_text)
    singular = unit.removesuffix("s")
    if singular not in _UNITS:
        raise ScheduleExpressionError(
            f"{expression!r}: the unit {unit!r} is not minutes, hours or days"
        )
    if (value == 1) == unit.endswith("s"):
        raise ScheduleExpressionError(
            f"{expression!r}: the unit {unit!r} does not go with {value}: say 1 {singular}, "
            f"or N {singular}s"
        )
    try:
        value * _UNITS[singular]
    except OverflowError:
        raise ScheduleExpressionError(
            f"{expression!r}: the value {value_text!r} is too large"
        ) from None
    return Rate(value, singular)


def _cron(body: str, expression: str) -> Cron:
    fields = body.upper().split()
    if len(fields) != len(CRON_FIELDS):
        raise ScheduleExpressionError(
            f"{expression!r}: cron() takes six fields ({' '.join(CRON_FIELDS)}), not {len(fields)}"
        )
    minutes, hours, day_of_month, month, day_of_week, year = fields
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ScheduleExpressionError(
            f"{expression!r}: day-of-month {day_of_month!r} and day-of-week {day_of_week!r}: "
            "exactly one of the two must be '?'"
        )
    return Cron(
        minutes=_MINUTES.values(minutes, expression),
        hours=_HOURS.values(hours, expression),
        days=(
            _day_of_week(day_of_week, expression)
            if day_of_month == "?"
            else _day_of_month(day_of_month, expression)
        ),
        months=_MONTH.values(month, expression),
        years=_YEAR.values(year, expression),
    )


@dataclass(frozen=True)
class _Field:
    """What one cron field takes: its values (and their names), steps, wrapping ranges."""

    name: str
    low: int
    high: int
    names: dict[str, int] = field(default_factory=dict)
    steps: bool = True
    wraps: bool = True

    @property
    def size(self) -> int:
        return self.high - self.low + 1

    def values(self, text: str, expression: str) -> tuple[int, ...]:
        """The values a field's list selects, in order."""
        found: set[int] = set()
        for part in text.split(","):
            found |= self._part(part, text, expression)
        return tuple(sorted(found))

    def number(self, text: str, part: str, expression: str) -> int:
        value = int(text) if _NUMBER.fullmatch(text) else self.names.get(text)
        if value is None or not self.low <= value <= self.high:
            named = f" or {min(self.names, key=self.names.__getitem__)}-" if self.names else ""
            named += max(self.names, key=self.names.__getitem__) if self.names else ""
            raise ScheduleExpressionError(
                f"{expression!r}: {self.name} {part!r}: {text!r} is not a value from "
                f"{self.low} to {self.high}{named}"
            )
        return value

    def _part(self, part: str, text: str, expression: str) -> set[int]:
        match = _PART.fullmatch(part)
        if match is None:
            raise ScheduleExpressionError(
                f"{expression!r}: {self.name} {text!r}: {part!r} is not *, a value, a range "
                "or a step"
            )
        base, step_text = match["base"], match["step"]
        if base == "*":
            first, span = self.low, self.size - 1
        elif "-" in base:
            start, end = (self.number(value, part, expression) for value in base.split("-"))
            if end < start and not self.wraps:
                raise ScheduleExpressionError(
                    f"{expression!r}: {self.name} {part!r} runs backwards"
                )
            # A range may wrap past the end: hours 20-2 are 20, 21, 22, 23, 0, 1, 2.
            first, span = start, (end - start) % self.size
        else:
            first = self.number(base, part, expression)
            # A step from a single value runs to the field's end: 5/15 is 5, 20, 35, 50.
            span = 0 if step_text is None else self.high - first
        step = 1
        if step_text is not None:
            if not self.steps:
                raise ScheduleExpressionError(
                    f"{expression!r}: {self.name} {part!r}: {self.name} takes no '/' step"
                )
            step = int(step_text)
            if not 1 <= step <= self.size:
                raise ScheduleExpressionError(
                    f"{expression!r}: {self.name} {part!r}: the step {step} is not from 1 to "
                    f"{self.size}"
                )
        return {self.low + (first - self.low + k) % self.size for k in range(0, span + 1, step)}


_MINUTES = _Field("minutes", 0, 59)
_HOURS = _Field("hours", 0, 23)
_DAY_OF_MONTH = _Field("day-of-month", 1, 31)
_MONTH = _Field("month", 1, 12, _MONTHS)
# AWS's cron reference lists no '/' for day-of-week.
_DAY_OF_WEEK = _Field("day-of-week", 1, 7, _WEEKDAYS, steps=False)
_YEAR = _Field("year", FIRST_YEAR, LAST_YEAR, wraps=False)


def _day_of_month(text: str, expression: str) -> Days:
    if text == "L":
        return LastDayOfMonth(weekday=False)
    if text == "LW":
        return LastDayOfMonth(weekday=True)
    if text.endswith("W") and _NUMBER.fullmatch(text[:-1]):
        return NearestWeekday(_DAY_OF_MONTH.number(text[:-1], text, expression))
    if "L" in text or "W" in text:
        raise ScheduleExpressionError(
            f"{expression!r}: day-of-month {text!r}: L, LW and nW (as 15W) stand alone in the field"
        )
    return DaysOfMonth(frozenset(_DAY_OF_MONTH.values(text, expression)))


def _day_of_week(text: str, expression: str) -> Days:
    if text == "L":  # the last day of the week
        return DaysOfWeek(frozenset({_WEEKDAYS["SAT"]}))
    weekday, sharp, nth = text.partition("#")
    if sharp:
        if not _NUMBER.fullmatch(nth) or not 1 <= int(nth) <= 5:
            raise ScheduleExpressionError(
                f"{expression!r}: day-of-week {text!r}: n#k takes k from 1 to 5 (as 6#3, the "
                "third Friday), alone in the field"
            )
        return NthWeekdayOfMonth(_DAY_OF_WEEK.number(weekday, text, expression), int(nth))
    last = _LAST_WEEKDAY.fullmatch(text)
    if last is not None:
        return LastWeekdayOfMonth(_DAY_OF_WEEK.number(last[1], text, expression))
    if "L" in text:
        raise ScheduleExpressionError(
            f"{expression!r}: day-of-week {text!r}: L, nL (as 6L) and n#k (as 6#3) stand alone "
            "in the field"
        )
    return DaysOfWeek(frozenset(_DAY_OF_WEEK.values(text, expression)))
