from __future__ import annotations

import json

import pytest

from offload import Envelope, TaskRegistry
from offload.periodic import check_expression, periodic_body


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
def test_recurring_expressions_the_scheduler_takes(expression: str) -> None:
    assert check_expression(expression) == expression


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("rate(1 days)", "say 1 day, or N days$"),
        ("rate(5 minute)", "say 1 minute, or N minutes$"),
        ("rate(0 minutes)", "not a recurring schedule"),
        (
            "cron(0 3 * * *)",
            r"six fields \(minutes hours day-of-month month day-of-week year\)$",
        ),
        ("cron(0 3 * * * *)", "must be '\\?'"),
        ("at(2026-12-01T00:00:00)", "not a recurring schedule"),
        ("daily", "not a recurring schedule"),
    ],
)
def test_anything_else_is_refused_with_the_reason(expression: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_expression(expression)


def test_a_periodic_task_takes_no_arguments() -> None:
    registry = TaskRegistry()

    @registry.task("tidy", schedule="rate(1 day)")
    def tidy(dry_run: bool = False) -> None: ...

    assert [s.name for s in registry.periodic()] == ["tidy"]
    with pytest.raises(ValueError, match=r"requires arguments \(day\)"):

        @registry.task("report", schedule="rate(1 day)")
        def report(day: str) -> None: ...


def test_each_occurrence_is_one_task_however_often_it_is_delivered() -> None:
    # The scheduler fills in the occurrence's time; the body has no id.
    template = periodic_body("tidy")
    assert json.loads(template) == {
        "v": 1,
        "task": "tidy",
        "enqueued_at": "<aws.scheduler.scheduled-time>",
    }
    fired = template.replace("<aws.scheduler.scheduled-time>", "2026-12-02T03:00:00Z")
    first, again = Envelope.from_body(fired), Envelope.from_body(fired)
    next_day = Envelope.from_body(fired.replace("12-02", "12-03"))
    assert first.id == again.id != next_day.id
    assert len(first.id) == 32
    assert first.task == "tidy"
