"""When a task added for later is due, and how it gets there.

Up to 15 minutes ahead, SQS holds the message itself (DelaySeconds, per message). Further ahead,
up to a year, an EventBridge Scheduler one-time schedule puts the envelope on the queue when it
is due (offload.schedules). Either way the envelope carries `due_at` and the task's row says
`scheduled` until it arrives.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from offload.exceptions import TaskTimingError

#: SQS's longest DelaySeconds.
MAX_QUEUE_DELAY = timedelta(minutes=15)
#: How far ahead a one-time schedule may be set: EventBridge Scheduler's at() takes any date,
#: but a task's row and its scheduler input are not meant to outlive a year.
MAX_AHEAD = timedelta(days=365)


def due_after(delay: timedelta, now: datetime) -> datetime:
    """The time `delay` from now; TaskTimingError below zero or beyond MAX_AHEAD."""
    if delay < timedelta(0):
        raise TaskTimingError(f"a task cannot run {-delay} ago: the delay must be 0 or more")
    if delay > MAX_AHEAD:
        raise TaskTimingError(f"a task can run at most {MAX_AHEAD.days} days ahead, not {delay}")
    return now + delay


def due_at(when: datetime, now: datetime) -> datetime:
    """`when` itself, checked: aware, not in the past, at most MAX_AHEAD from now."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise TaskTimingError(f"{when.isoformat()} has no time zone: pass an aware datetime")
    if when < now:
        raise TaskTimingError(f"{when.isoformat()} is in the past (now is {now.isoformat()})")
    return due_after(when - now, now)


def needs_schedule(due: datetime | None, now: datetime) -> bool:
    """Whether the task is too far ahead for SQS to hold it."""
    return due is not None and due - now > MAX_QUEUE_DELAY


def queue_delay_seconds(due: datetime | None, now: datetime) -> int:
    """The DelaySeconds of a message due at `due` (0: deliver at once), at most SQS's 900."""
    if due is None:
        return 0
    seconds = math.ceil((due - now).total_seconds())
    return max(0, min(seconds, int(MAX_QUEUE_DELAY.total_seconds())))
