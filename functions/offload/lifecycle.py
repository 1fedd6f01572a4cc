"""A task's row through its life, as data: the states, and each transition with the states it may
leave and the attributes it writes. Written once, here; the DynamoDB rows render a transition into
a condition and an update expression (offload.rows), the test kit's rows apply it to a dict
(`Transition.apply`). One row per task is its status, its lock and its result:

- `queued` (or `scheduled`, with `due_at`): written by the API before the task goes to SQS.
- `running`: the worker's start, the lock (`lock_until`, the invocation's end): refused while
  another run holds an unexpired lock, for a task that succeeded, and for a cancelled one.
- `succeeded`: the result; or `retrying`, `failed`, `dead_lettered` with a public reason,
  written once the worker has acted on that outcome, which also releases the lock.
- `cancelled`: a task SQS took for a request answered 503, or one its owner cancelled before
  it was due.

A row is in the table's sparse RecentFailures index (its `failed_on` attribute, the UTC day)
while it is `retrying`, `failed` or `dead_lettered`, set and removed by the transitions
themselves: a task that succeeds never enters it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

State = Literal[
    "queued",
    "scheduled",
    "running",
    "retrying",
    "succeeded",
    "failed",
    "dead_lettered",
    "cancelled",
]
FINAL_STATES: frozenset[State] = frozenset({"succeeded", "failed", "dead_lettered", "cancelled"})
#: States that put a row in the RecentFailures index: what an operator may want to look at.
FAILURE_STATES: frozenset[State] = frozenset({"retrying", "failed", "dead_lettered"})
#: The index's partition key (the UTC day the row got there) and its name.
FAILED_ON = "failed_on"
FAILURE_INDEX = "RecentFailures"

#: What the API knows of a task it is about to send.
_QUEUED = (
    "id",
    "task",
    "attempts",
    "enqueued_at",
    "due_at",
    "updated_at",
    "correlation_id",
    "owner",
    "expires_at",
)
#: What the envelope tells a worker about a task whose row is not there (a message from before
#: rows, or one no API queued): what the API would have written.
_FROM_ENVELOPE = ("id", "task", "enqueued_at", "owner", "correlation_id")
_OUTCOME = ("reason", "updated_at", "expires_at")


@dataclass(frozen=True)
class Transition:
    """One change of a row. Values come from the caller, by attribute name; a value that is None
    is not written."""

    name: str
    to: State
    #: States the row may be in; None: any, the row absent included (the worker records what
    #: it acted on, whatever happened meanwhile).
    sources: frozenset[State] | None
    #: Whether the row may be absent (it is then made).
    creates: bool = False
    #: Whether a `running` row whose lock ended (`lock_until` < now) may be taken over.
    reclaims: bool = False
    #: Attributes written from the values.
    sets: tuple[str, ...] = ()
    #: Attributes written only where the row has none.
    fills: tuple[str, ...] = ()
    removes: tuple[str, ...] = ()
    #: Numbers counted up by one.
    counts: tuple[str, ...] = ()

    def allows(self, row: Mapping[str, Any] | None, now_ms: int) -> bool:
        """Whether the row may take this transition now."""
        if self.sources is None:
            return True
        if row is None:
            return self.creates
        status = row.get("status")
        expired = status == "running" and int(row.get("lock_until", 0)) < now_ms
        return status in self.sources or (self.reclaims and expired)

    def apply(self, row: Mapping[str, Any] | None, values: Mapping[str, Any]) -> dict[str, Any]:
        """The row after the transition (the caller checked `allows`)."""
        after = dict(row or {})
        for name in self.removes:
            after.pop(name, None)
        after.update({n: values[n] for n in self.sets if values.get(n) is not None})
        for name in self.fills:
            if name not in after and values.get(name) is not None:
                after[name] = values[name]
        for name in self.counts:
            after[name] = int(after.get(name, 0)) + 1
        after["status"] = self.to
        return after


#: The API's rows, one batch per request (fresh ids: a put with no condition).
QUEUE = Transition("queue", "queued", frozenset(), creates=True, sets=_QUEUED)
SCHEDULE = Transition("schedule", "scheduled", frozenset(), creates=True, sets=_QUEUED)
#: A worker's run begins. Failed and dead-lettered tasks run again when their message is
#: redriven after a fix; a scheduled task's envelope arrives when it is due.
START = Transition(
    "start",
    "running",
    frozenset({"queued", "scheduled", "retrying", "failed", "dead_lettered"}),
    creates=True,
    reclaims=True,
    sets=("task", "started_at", "updated_at", "lock_until", "expires_at"),
    fills=("id", "enqueued_at", "owner", "correlation_id"),
    removes=("reason", "finished_at", "duration_ms", FAILED_ON),
    counts=("attempts",),
)
SUCCEED = Transition(
    "succeed",
    "succeeded",
    None,
    sets=("finished_at", "updated_at", "expires_at", "duration_ms"),
    removes=("lock_until", FAILED_ON),
)
RETRY = Transition(
    "retry",
    "retrying",
    None,
    sets=(*_OUTCOME, FAILED_ON),
    fills=_FROM_ENVELOPE,
    removes=("lock_until",),
)
FAIL = Transition(
    "fail",
    "failed",
    None,
    sets=(*_OUTCOME, "finished_at", FAILED_ON),
    fills=_FROM_ENVELOPE,
    removes=("lock_until",),
)
DEAD_LETTER = Transition(
    "dead_letter",
    "dead_lettered",
    None,
    sets=(*_OUTCOME, "finished_at", FAILED_ON),
    fills=_FROM_ENVELOPE,
    removes=("lock_until",),
)
#: SQS took the task for a request answered 503 (it refused a partner): the worker will not run
#: it. A task a worker already started is left alone.
CANCEL = Transition(
    "cancel",
    "cancelled",
    frozenset({"queued", "scheduled"}),
    sets=("reason", "updated_at", "finished_at"),
)
#: Its owner cancels a task added for later, before it starts.
UNSCHEDULE = Transition(
    "unschedule",
    "cancelled",
    frozenset({"scheduled"}),
    sets=("reason", "updated_at", "finished_at"),
)
TRANSITIONS = (QUEUE, SCHEDULE, START, SUCCEED, RETRY, FAIL, DEAD_LETTER, CANCEL, UNSCHEDULE)
