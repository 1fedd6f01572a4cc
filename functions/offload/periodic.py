"""Periodic tasks: declared in code with a schedule expression, deployed as an
AWS::Scheduler::Schedule each in template.yaml (a template test keeps the two in step).

A periodic task takes no arguments: the scheduler sends the same envelope every time, written
once in the template, without an id; the worker makes its id from the task's name and the
occurrence's time (offload.envelope.occurrence_id), so a schedule that fires twice for one
occurrence runs it once.
"""

from __future__ import annotations

import json
import re

#: EventBridge Scheduler's recurring expressions: rate(value unit) and cron(six fields).
_RATE = re.compile(r"^rate\((?P<value>[1-9][0-9]*) (?P<unit>minutes?|hours?|days?)\)$")
_CRON = re.compile(r"^cron\((?P<fields>[^()]+)\)$")
_CRON_FIELD = re.compile(r"^[0-9A-Za-z*?,/#L W-]+$")
#: What the scheduler writes into the envelope when it fires (its context attribute).
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


def check_expression(expression: str) -> str:
    """The expression if EventBridge Scheduler would take it as a recurring schedule; ValueError
    saying what is wrong otherwise."""
    rate = _RATE.match(expression)
    if rate is not None:
        value, unit = int(rate["value"]), rate["unit"]
        if (value == 1) == unit.endswith("s"):
            raise ValueError(f"{expression!r}: say 1 {unit.rstrip('s')}, or N {unit.rstrip('s')}s")
        return expression
    cron = _CRON.match(expression)
    if cron is not None:
        fields = cron["fields"].split()
        if len(fields) != 6 or not all(_CRON_FIELD.match(f) for f in fields):
            raise ValueError(
                f"{expression!r}: cron takes six fields (minutes hours day-of-month month "
                "day-of-week year)"
            )
        day_of_month, day_of_week = fields[2], fields[4]
        if (day_of_month == "?") == (day_of_week == "?"):
            raise ValueError(f"{expression!r}: one of day-of-month and day-of-week must be '?'")
        return expression
    raise ValueError(
        f"{expression!r} is not a recurring schedule: rate(5 minutes) or cron(0 3 * * ? *)"
    )


def periodic_body(task: str) -> str:
    """The message a periodic task's schedule sends (the template's Target.Input)."""
    return json.dumps({"v": 1, "task": task, "enqueued_at": SCHEDULED_TIME}, separators=(",", ":"))
