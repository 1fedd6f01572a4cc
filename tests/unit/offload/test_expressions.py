"""Schedule expressions read as EventBridge Scheduler reads them: AWS's own examples, every
refusal naming its part, time zones and daylight saving time, and croniter's next runs on the
fields the two share."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from croniter import CroniterBadDateError, croniter
from hypothesis import given, settings
from hypothesis import strategies as st

from offload.expressions import (
    At,
    Cron,
    Rate,
    Schedule,
    ScheduleExpressionError,
    parse,
    parse_recurring,
    time_zone,
)

#: A Tuesday.
CREATED = datetime(2026, 12, 1, 10, 0, 30, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def runs(
    expression: str, after: datetime, count: int, zone: str = "UTC", start: datetime = CREATED
) -> list[datetime]:
    """The next `count` runs strictly after `after` (fewer if the schedule ends)."""
    schedule, found = parse(expression), []
    for _ in range(count):
        due = schedule.next_run(after, start=start, zone=time_zone(zone))
        if due is None:
            break
        assert due.tzinfo is UTC
        found.append(due)
        after = due
    return found


@pytest.mark.parametrize(
    ("expression", "after", "due"),
    [
        # AWS's cron reference, its table of examples in order.
        ("cron(0 10 * * ? *)", CREATED, [utc(2026, 12, 2, 10, 0), utc(2026, 12, 3, 10, 0)]),
        ("cron(15 12 * * ? *)", CREATED, [utc(2026, 12, 1, 12, 15), utc(2026, 12, 2, 12, 15)]),
        # 2026-12-04 is a Friday: Monday next.
        (
            "cron(0 18 ? * MON-FRI *)",
            utc(2026, 12, 4, 18, 0),
            [utc(2026, 12, 7, 18, 0), utc(2026, 12, 8, 18, 0)],
        ),
        ("cron(0 8 1 * ? *)", CREATED, [utc(2027, 1, 1, 8, 0), utc(2027, 2, 1, 8, 0)]),
        (
            "cron(0/15 * * * ? *)",
            CREATED,
            [utc(2026, 12, 1, 10, 15), utc(2026, 12, 1, 10, 30), utc(2026, 12, 1, 10, 45)],
        ),
        (
            "cron(0/10 * ? * MON-FRI *)",
            utc(2026, 12, 4, 23, 50),
            [utc(2026, 12, 7, 0, 0), utc(2026, 12, 7, 0, 10)],
        ),
        (
            "cron(0/5 8-17 ? * MON-FRI *)",
            utc(2026, 12, 1, 17, 50),
            [utc(2026, 12, 1, 17, 55), utc(2026, 12, 2, 8, 0)],
        ),
        # A range that wraps past midnight: 20:00 to 02:30, on the days the day field names.
        (
            "cron(0/30 20-2 ? * MON-FRI *)",
            utc(2026, 12, 7, 19, 59),
            [utc(2026, 12, 7, 20, 0) + timedelta(minutes=30 * n) for n in range(8)]
            + [utc(2026, 12, 8, 0, 0) + timedelta(minutes=30 * n) for n in range(6)]
            + [utc(2026, 12, 8, 20, 0)],
        ),
        # The reference's put-rule examples.
        ("cron(0 12 * * ? *)", CREATED, [utc(2026, 12, 1, 12, 0), utc(2026, 12, 2, 12, 0)]),
        ("cron(5,35 14 * * ? *)", CREATED, [utc(2026, 12, 1, 14, 5), utc(2026, 12, 1, 14, 35)]),
        # The last Friday of each month, 2019 to 2022 only.
        (
            "cron(15 10 ? * 6L 2019-2022)",
            utc(2019, 1, 1),
            [utc(2019, 1, 25, 10, 15), utc(2019, 2, 22, 10, 15), utc(2019, 3, 29, 10, 15)],
        ),
        ("cron(15 10 ? * 6L 2019-2022)", utc(2022, 12, 30, 10, 15), []),
        # Rate examples: every minute, five minutes, hour, day, from the schedule's start.
        ("rate(1 minute)", CREATED, [CREATED + timedelta(minutes=1)]),
        ("rate(5 minutes)", CREATED, [CREATED + timedelta(minutes=5 * n) for n in (1, 2)]),
        ("rate(1 hour)", CREATED + timedelta(minutes=61), [CREATED + timedelta(hours=2)]),
        ("rate(1 day)", CREATED, [CREATED + timedelta(days=1)]),
        # One time: due once, never again.
        ("at(2026-12-01T12:00:00)", CREATED, [utc(2026, 12, 1, 12, 0)]),
        ("at(2026-12-01T12:00:00)", utc(2026, 12, 1, 12, 0), []),
    ],
)
def test_aws_examples_run_when_aws_says(
    expression: str, after: datetime, due: list[datetime]
) -> None:
    assert runs(expression, after, len(due) or 1) == due


def test_a_step_applies_to_its_own_item_of_a_list() -> None:
    # 5, then every 15 minutes from 10: 10, 25, 40, 55 (not every minute from 5).
    assert [d.minute for d in runs("cron(5,10/15 * * * ? *)", utc(2026, 12, 1, 9, 59), 5)] == [
        5,
        10,
        25,
        40,
        55,
    ]


@pytest.mark.parametrize(
    ("expression", "after", "due"),
    [
        ("cron(0 3 * * ? *)", CREATED, [utc(2026, 12, 2, 3, 0)]),
        ("cron(*/15 * * * ? *)", CREATED, [utc(2026, 12, 1, 10, 15)]),
        ("cron(30 9 ? * MON-FRI *)", CREATED, [utc(2026, 12, 2, 9, 30)]),
        ("cron(0 0 1 JAN ? *)", CREATED, [utc(2027, 1, 1)]),
        # Steps on *, on a range, from a single value; names; a list of ranges.
        ("cron(*/20 * * * ? *)", CREATED, [utc(2026, 12, 1, 10, m) for m in (20, 40)]),
        ("cron(0 0 */16 * ? *)", CREATED, [utc(2026, 12, 17), utc(2027, 1, 1), utc(2027, 1, 17)]),
        ("cron(10-40/15 * * * ? *)", CREATED, [utc(2026, 12, 1, 10, m) for m in (10, 25, 40)]),
        ("cron(0 0 ? * SUN,TUE-WED *)", CREATED, [utc(2026, 12, d) for d in (2, 6, 8)]),
        ("cron(0 0 1 JAN,jul ? *)", CREATED, [utc(2027, 1, 1), utc(2027, 7, 1)]),
        ("cron(0 0 ? * 1 2027)", CREATED, [utc(2027, 1, 3)]),
        # A range of months past December, of days past the week's end.
        (
            "cron(0 0 1 NOV-FEB ? *)",
            CREATED,
            [utc(2027, m, 1) for m in (1, 2)] + [utc(2027, 11, 1)],
        ),
        ("cron(0 0 ? * FRI-SUN *)", CREATED, [utc(2026, 12, d) for d in (4, 5, 6, 11)]),
        # A day some months lack is skipped in them.
        ("cron(0 0 31 * ? *)", CREATED, [utc(2026, 12, 31), utc(2027, 1, 31), utc(2027, 3, 31)]),
        ("cron(0 0 29 FEB ? *)", CREATED, [utc(2028, 2, 29), utc(2032, 2, 29)]),
        # L and W in day-of-month: the last day, the last weekday, the weekday nearest the 15th
        # (2027-05-15 is a Saturday, 2027-08-15 a Sunday), without leaving the month (2027-05-01
        # is a Saturday, 2027-10-31 a Sunday).
        ("cron(0 0 L * ? *)", CREATED, [utc(2026, 12, 31), utc(2027, 1, 31), utc(2027, 2, 28)]),
        # (2027: January and February end on a Sunday, March on a Wednesday, July on a Saturday.)
        (
            "cron(0 0 LW JAN-MAR,JUL ? *)",
            utc(2027, 1, 1),
            [utc(2027, 1, 29), utc(2027, 2, 26), utc(2027, 3, 31), utc(2027, 7, 30)],
        ),
        ("cron(0 0 15W MAY,AUG ? *)", CREATED, [utc(2027, 5, 14), utc(2027, 8, 16)]),
        ("cron(0 0 1W MAY ? *)", CREATED, [utc(2027, 5, 3)]),
        ("cron(0 0 31W OCT ? *)", CREATED, [utc(2027, 10, 29)]),
        ("cron(0 0 31W FEB ? *)", CREATED, []),
        # L, nL and n#k in day-of-week: Saturdays, the last Friday, the second Tuesday (and no
        # fifth Monday in a month that has four).
        ("cron(0 0 ? * L *)", CREATED, [utc(2026, 12, 5), utc(2026, 12, 12)]),
        ("cron(0 0 ? * FRIL *)", CREATED, [utc(2026, 12, 25), utc(2027, 1, 29)]),
        ("cron(0 0 ? * 3#2 *)", CREATED, [utc(2026, 12, 8), utc(2027, 1, 12)]),
        ("cron(0 0 ? * MON#5 *)", CREATED, [utc(2027, 3, 29), utc(2027, 5, 31)]),
        # A year range ends the schedule.
        ("cron(0 0 1 1 ? 2027-2028)", CREATED, [utc(2027, 1, 1), utc(2028, 1, 1)]),
        ("cron(0 0 1 1 ? 2199)", utc(2199, 1, 1), []),
        ("cron(0 0 1 1 ? 2027-2027)", CREATED, [utc(2027, 1, 1)]),
    ],
)
def test_each_cron_form_runs_as_quartz_and_aws_read_it(
    expression: str, after: datetime, due: list[datetime]
) -> None:
    assert runs(expression, after, len(due) or 1) == due


def test_a_rate_counts_from_its_start_whatever_the_time_zone() -> None:
    # Without a start, from the time asked about.
    assert parse("rate(5 minutes)").next_run(CREATED) == CREATED + timedelta(minutes=5)
    # A schedule that starts later runs first when it starts, as AWS's does.
    assert runs("rate(1 day)", utc(2026, 1, 1), 2, start=CREATED) == [
        CREATED,
        CREATED + timedelta(days=1),
    ]
    # A day is 24 hours: Paris changes its clock on 2027-03-28; the run moves with UTC.
    start = utc(2027, 3, 27, 2, 0)
    assert runs("rate(1 day)", start, 2, "Europe/Paris", start) == [
        utc(2027, 3, 28, 2, 0),
        utc(2027, 3, 29, 2, 0),
    ]


def test_a_schedule_in_another_zone_runs_at_that_zones_time() -> None:
    assert runs("cron(0 3 * * ? *)", CREATED, 1, "Europe/Paris") == [utc(2026, 12, 2, 2, 0)]
    assert runs("at(2026-12-01T12:00:00)", CREATED, 1, "America/New_York") == [
        utc(2026, 12, 1, 17, 0)
    ]


def test_daylight_saving_time_skips_a_missing_time_and_runs_a_repeated_one_once() -> None:
    # New York: 2027-03-14 02:00 becomes 03:00 (02:30 never happens); 2027-11-07 02:00 goes
    # back to 01:00 (01:30 happens twice).
    new_york = ZoneInfo("America/New_York")
    spring = runs("cron(30 2 * * ? *)", utc(2027, 3, 13, 12), 2, "America/New_York")
    assert [d.astimezone(new_york).date().day for d in spring] == [15, 16]
    autumn = runs("cron(*/30 1 * * ? *)", utc(2027, 11, 7, 4), 3, "America/New_York")
    assert autumn == [utc(2027, 11, 7, 5, 0), utc(2027, 11, 7, 5, 30), utc(2027, 11, 8, 6, 0)]


NOT_AN_EXPRESSION = (
    " is not a schedule expression: at(2027-01-01T09:00:00), rate(5 minutes) or cron(0 3 * * ? *)"
)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        # Not a schedule expression at all.
        ("daily", NOT_AN_EXPRESSION),
        ("rate(5 minutes", NOT_AN_EXPRESSION),
        (" rate(5 minutes)", NOT_AN_EXPRESSION),
        ("every(5 minutes)", NOT_AN_EXPRESSION),
        # rate(): a whole value of at least 1, the unit singular for 1 only.
        ("rate(0 minutes)", ": the value '0' is not a whole number of at least 1"),
        ("rate(-1 minutes)", ": the value '-1' is not a whole number of at least 1"),
        ("rate(1.5 hours)", ": the value '1.5' is not a whole number of at least 1"),
        ("rate(1 days)", ": the unit 'days' does not go with 1: say 1 day, or N days"),
        ("rate(5 minute)", ": the unit 'minute' does not go with 5: say 1 minute, or N minutes"),
        ("rate(5 weeks)", ": the unit 'weeks' is not minutes, hours or days"),
        ("rate(5minutes)", ": rate() takes a value and a unit, as rate(5 minutes)"),
        ("rate(5  minutes)", ": rate() takes a value and a unit, as rate(5 minutes)"),
        ("rate(99999999999999 days)", ": the value '99999999999999' is too large"),
        # at(): a date and time that exists.
        ("at(2026-12-01 12:00:00)", ": at() takes yyyy-mm-ddThh:mm:ss"),
        ("at(2026-12-01T12:00)", ": at() takes yyyy-mm-ddThh:mm:ss"),
        ("at(2026-02-30T12:00:00)", ": 2026-02-30T12:00:00 is not a date and time"),
        # cron(): six fields, exactly one day field '?'.
        (
            "cron(0 3 * * ?)",
            ": cron() takes six fields (minutes hours day-of-month month day-of-week year), not 5",
        ),
        (
            "cron(0 3 * * * *)",
            ": day-of-month '*' and day-of-week '*': exactly one of the two must be '?'",
        ),
        (
            "cron(0 3 ? * ? *)",
            ": day-of-month '?' and day-of-week '?': exactly one of the two must be '?'",
        ),
        ("cron((0 3 * * ? *))", ": minutes '(0': '(0' is not *, a value, a range or a step"),
        # Values out of their field's range; names where numbers belong.
        ("cron(60 3 * * ? *)", ": minutes '60': '60' is not a value from 0 to 59"),
        ("cron(0 24 * * ? *)", ": hours '24': '24' is not a value from 0 to 23"),
        ("cron(0 3 0 * ? *)", ": day-of-month '0': '0' is not a value from 1 to 31"),
        ("cron(0 3 32 * ? *)", ": day-of-month '32': '32' is not a value from 1 to 31"),
        ("cron(0 3 1 13 ? *)", ": month '13': '13' is not a value from 1 to 12 or JAN-DEC"),
        ("cron(0 3 1 FOO ? *)", ": month 'FOO': 'FOO' is not a value from 1 to 12 or JAN-DEC"),
        ("cron(0 3 ? * 0 *)", ": day-of-week '0': '0' is not a value from 1 to 7 or SUN-SAT"),
        ("cron(0 3 ? * 8 *)", ": day-of-week '8': '8' is not a value from 1 to 7 or SUN-SAT"),
        (
            "cron(0 3 ? * MON-FOO *)",
            ": day-of-week 'MON-FOO': 'FOO' is not a value from 1 to 7 or SUN-SAT",
        ),
        ("cron(0 3 1 * ? 1969)", ": year '1969': '1969' is not a value from 1970 to 2199"),
        ("cron(0 3 1 * ? 2200)", ": year '2200': '2200' is not a value from 1970 to 2199"),
        ("cron(0 MON * * ? *)", ": hours 'MON': 'MON' is not a value from 0 to 23"),
        # Steps: from 1 to the field's size, none in day-of-week.
        ("cron(*/0 * * * ? *)", ": minutes '*/0': the step 0 is not from 1 to 60"),
        ("cron(0 0/25 * * ? *)", ": hours '0/25': the step 25 is not from 1 to 24"),
        ("cron(0 3 ? * */2 *)", ": day-of-week '*/2': day-of-week takes no '/' step"),
        ("cron(0/ 3 * * ? *)", ": minutes '0/': '0/' is not *, a value, a range or a step"),
        ("cron(0/X 3 * * ? *)", ": minutes '0/X': '0/X' is not *, a value, a range or a step"),
        (
            "cron(1/2/3 3 * * ? *)",
            ": minutes '1/2/3': '1/2/3' is not *, a value, a range or a step",
        ),
        # Malformed lists and ranges.
        ("cron(1,,2 3 * * ? *)", ": minutes '1,,2': '' is not *, a value, a range or a step"),
        ("cron(1, 3 * * ? *)", ": minutes '1,': '' is not *, a value, a range or a step"),
        (
            "cron(1-2-3 3 * * ? *)",
            ": minutes '1-2-3': '1-2-3' is not *, a value, a range or a step",
        ),
        ("cron(0 3 * * ? 2020-2019)", ": year '2020-2019' runs backwards"),
        # ?, L, W and # where they do not belong, or not alone in their field.
        ("cron(? 3 * * ? *)", ": minutes '?': '?' is not *, a value, a range or a step"),
        ("cron(0 3 * L ? *)", ": month 'L': 'L' is not a value from 1 to 12 or JAN-DEC"),
        (
            "cron(0 3 L,15 * ? *)",
            ": day-of-month 'L,15': L, LW and nW (as 15W) stand alone in the field",
        ),
        (
            "cron(0 3 1-5W * ? *)",
            ": day-of-month '1-5W': L, LW and nW (as 15W) stand alone in the field",
        ),
        (
            "cron(0 3 L-3 * ? *)",
            ": day-of-month 'L-3': L, LW and nW (as 15W) stand alone in the field",
        ),
        ("cron(0 3 32W * ? *)", ": day-of-month '32W': '32' is not a value from 1 to 31"),
        ("cron(0 3 15# * ? *)", ": day-of-month '15#': '15#' is not *, a value, a range or a step"),
        (
            "cron(0 3 ? * MON,L *)",
            ": day-of-week 'MON,L': L, nL (as 6L) and n#k (as 6#3) stand alone in the field",
        ),
        (
            "cron(0 3 ? * MON? *)",
            ": day-of-week 'MON?': 'MON?' is not *, a value, a range or a step",
        ),
        ("cron(0 3 ? * 8L *)", ": day-of-week '8L': '8' is not a value from 1 to 7 or SUN-SAT"),
        (
            "cron(0 3 ? * 3#6 *)",
            ": day-of-week '3#6': n#k takes k from 1 to 5 (as 6#3, the third Friday), alone in "
            "the field",
        ),
        (
            "cron(0 3 ? * 3#1,6#3 *)",
            ": day-of-week '3#1,6#3': n#k takes k from 1 to 5 (as 6#3, the third Friday), alone "
            "in the field",
        ),
        ("cron(0 3 ? * 9#1 *)", ": day-of-week '9#1': '9' is not a value from 1 to 7 or SUN-SAT"),
    ],
)
def test_every_malformed_expression_is_refused_naming_the_part(
    expression: str, message: str
) -> None:
    # The message is the expression, then what is wrong with it.
    with pytest.raises(ScheduleExpressionError) as refused:
        parse(expression)

    assert str(refused.value) == repr(expression) + message


def test_the_error_is_a_value_error() -> None:
    assert issubclass(ScheduleExpressionError, ValueError)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 day)",
        "rate(5 minutes)",
        "rate(2 hours)",
        "cron(0 3 * * ? *)",
        "cron(15 10 ? * MON-FRI *)",
    ],
)
def test_a_recurring_schedule_is_rate_or_cron(expression: str) -> None:
    assert isinstance(parse_recurring(expression), Rate | Cron)


def test_a_one_time_schedule_is_not_recurring() -> None:
    assert isinstance(parse("at(2026-12-01T00:00:00)"), At)
    with pytest.raises(ScheduleExpressionError, match="runs once: a periodic task takes rate"):
        parse_recurring("at(2026-12-01T00:00:00)")


def test_a_time_zone_is_named_as_iana_names_it() -> None:
    assert time_zone("UTC") is UTC
    assert time_zone("Europe/Paris") == ZoneInfo("Europe/Paris")
    for name in ("Mars/Olympus", "../etc/passwd", ""):
        with pytest.raises(ScheduleExpressionError, match="is not an IANA time zone"):
            time_zone(name)


# croniter reads classic cron: five fields, day-of-week 0-6 from Sunday, no '?' (its '*' in the
# day field AWS leaves as '?'). Compared on what both read alike: values, names, lists, ranges
# (wrapping ones too, without a step: croniter steps through those differently from Quartz),
# steps on '*', on a range and from a value.
_NAMES = {
    "month": ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    "day-of-week": ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"],
}


@st.composite
def cron_field(draw: st.DrawFn, low: int, high: int, name: str = "") -> tuple[str, str]:
    """One field, as AWS writes it and as croniter does."""
    names, shift = _NAMES.get(name), -1 if name == "day-of-week" else 0

    def value(number: int) -> tuple[str, str]:
        if names and draw(st.booleans()):
            return names[number - low], names[number - low]
        return str(number), str(number + shift)

    parts = []
    for _ in range(draw(st.integers(1, 3))):
        first = draw(st.integers(low, high))
        # croniter reads a range from a value to itself (5-5) as the whole field.
        last = draw(st.integers(low, high - 1))
        last += last >= first
        step = draw(st.integers(1, high - low + 1))
        kind = draw(
            st.sampled_from(["*", "value", "range", "*/step", "value/step", "range/step"])
            if name != "day-of-week"
            else st.sampled_from(["*", "value", "range"])
        )
        (aws_first, cron_first), (aws_last, cron_last) = value(first), value(last)
        if kind == "*":
            parts.append(("*", "*"))
        elif kind == "value":
            parts.append((aws_first, cron_first))
        elif kind == "range":
            parts.append((f"{aws_first}-{aws_last}", f"{cron_first}-{cron_last}"))
        elif kind == "*/step":
            parts.append((f"*/{step}", f"*/{step}"))
        elif kind == "value/step":
            parts.append((f"{first}/{step}", f"{first + shift}/{step}"))
        else:
            first, last = min(first, last), max(first, last)
            parts.append((f"{first}-{last}/{step}", f"{first}-{last}/{step}"))
    return ",".join(p[0] for p in parts), ",".join(p[1] for p in parts)


@settings(max_examples=300, deadline=None)
@given(
    minutes=cron_field(0, 59),
    hours=cron_field(0, 23),
    day=st.one_of(
        st.tuples(cron_field(1, 31), st.just(("?", "*"))),
        st.tuples(st.just(("?", "*")), cron_field(1, 7, "day-of-week")),
    ),
    month=cron_field(1, 12, "month"),
    after=st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_next_runs_agree_with_croniter(
    minutes: tuple[str, str],
    hours: tuple[str, str],
    day: tuple[tuple[str, str], tuple[str, str]],
    month: tuple[str, str],
    after: datetime,
) -> None:
    day_of_month, day_of_week = day
    fields = (minutes, hours, day_of_month, month, day_of_week)
    schedule: Schedule = parse(f"cron({' '.join(f[0] for f in fields)} *)")
    theirs = croniter(" ".join(f[1] for f in fields), after)
    moment = after
    for _ in range(3):
        ours = schedule.next_run(moment)
        try:
            expected = theirs.get_next(datetime)
        except CroniterBadDateError:  # nothing in croniter's search window (50 years)
            assert ours is None or ours > moment.replace(year=moment.year + 49)
            return
        assert ours == expected
        moment = ours
