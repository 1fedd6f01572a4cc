"""Periodic tasks: declared in code with a schedule expression (read by offload.expressions when
the task is registered), deployed as an AWS::Scheduler::Schedule each in template.yaml (a
template test keeps the two in step).

A periodic task takes no arguments: the scheduler sends the same envelope every time, written
once in the template, without an id; the worker makes its id from the task's name and the
occurrence's time (offload.envelope.occurrence_id), so a schedule that fires twice for one
occurrence runs it once.
"""

from __future__ import annotations

import json

#: What the scheduler writes into the envelope when it fires (its context attribute).
SCHEDULED_TIME = "<aws.scheduler.scheduled-time>"


def periodic_body(task: str) -> str:
    """The message a periodic task's schedule sends (the template's Target.Input)."""
    return json.dumps({"v": 1, "task": task, "enqueued_at": SCHEDULED_TIME}, separators=(",", ":"))
