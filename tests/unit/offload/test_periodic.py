from __future__ import annotations

import json

import pytest

from offload import Envelope, TaskRegistry
from offload.expressions import ScheduleExpressionError
from offload.periodic import periodic_body


def test_a_periodic_task_takes_no_arguments() -> None:
    registry = TaskRegistry()

    @registry.task("tidy", schedule="rate(1 day)")
    def tidy(dry_run: bool = False) -> None: ...

    assert [s.name for s in registry.periodic()] == ["tidy"]
    with pytest.raises(ValueError, match=r"requires arguments \(day\)"):

        @registry.task("report", schedule="rate(1 day)")
        def report(day: str) -> None: ...


def test_a_periodic_task_with_a_schedule_aws_would_refuse_is_not_registered() -> None:
    registry = TaskRegistry()

    for schedule, message in [
        ("cron(*/0 * * * ? *)", r"minutes '\*/0': the step 0"),
        ("at(2027-01-01T09:00:00)", "runs once"),
    ]:
        with pytest.raises(ScheduleExpressionError, match=message):
            registry.task("tidy", schedule=schedule)(lambda: None)
    assert registry.periodic() == []


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
