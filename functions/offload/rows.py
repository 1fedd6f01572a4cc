"""One row per task: its status (for its owner to read), its lock and its result (for the
worker). What each change writes is offload.lifecycle's data; here the values each change
carries, and the DynamoDB table that keeps the rows, keyed (pk, sk) = ("TASK#<id>", "STATUS"),
with a TTL (`expires_at`) and the sparse RecentFailures index (`failed_on`, `updated_at`).

Three writes when all goes well: `queued` (the API: one BatchWriteItem for a request's rows),
`running` and `succeeded` (the worker: one UpdateItem each).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from offload.exceptions import NotScheduledError, StartRefusedError
from offload.lifecycle import (
    CANCEL,
    FAILED_ON,
    FAILURE_INDEX,
    QUEUE,
    SCHEDULE,
    START,
    SUCCEED,
    UNSCHEDULE,
    State,
    Transition,
)
from offload.reasons import CANCELLED, UNSCHEDULED, Reason

if TYPE_CHECKING:
    from offload.context import TaskContext
    from offload.dynamodb import Table
    from offload.envelope import Envelope


class TaskRow(BaseModel):
    """A task as its owner sees it (GET /tasks/{id})."""

    id: str
    task: str
    status: State
    attempts: int = 0
    enqueued_at: datetime | None = None
    #: When a task added for later is due.
    due_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    updated_at: datetime
    duration_ms: float | None = None
    reason: Reason | None = None
    correlation_id: str | None = None
    #: Who added the task (the caller's `sub`): only they may read it. Never serialised.
    owner: str | None = Field(default=None, exclude=True)


@dataclass(frozen=True)
class Change:
    """One transition of one row, with the values it writes; `old_on_failure`: a refusal says
    what the row was."""

    task_id: str
    transition: Transition
    values: Mapping[str, Any]
    old_on_failure: bool = False


class ConditionFailedError(Exception):
    """Raise (from a store) when a transition does not apply to the row as it stands; `old` is
    the row then, when the store was asked for it."""

    def __init__(self, old: dict[str, Any] | None) -> None:
        super().__init__("the row does not allow this change now")
        self.old = old


class TaskRows(ABC):
    """The rows of tasks: what each change writes, for any store. `retention` is how long a row
    outlives its last change: for a finished task, how long its id is remembered as done, so it
    must outlast every redelivery and redrive of its message."""

    def __init__(
        self,
        retention: timedelta = timedelta(days=14),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.retention = retention
        self.clock = clock

    # The API's side

    def enqueue(self, envelopes: Sequence[Envelope]) -> None:
        """Rows for tasks about to be sent (`scheduled` when due later, else `queued`)."""
        now = self.clock()
        self._put_new(
            [
                (SCHEDULE if e.due_at is not None else QUEUE, e.id, self._queued(e, now))
                for e in envelopes
            ]
        )

    def discard(self, task_ids: Iterable[str]) -> None:
        """Forget rows of tasks SQS refused: no worker can ever see those."""
        self._delete(list(task_ids))

    def cancel(self, task_ids: Iterable[str]) -> None:
        """Tasks SQS took for a request answered 503: SQS cannot give a message back, so the
        worker is told not to run them. A task a worker already started is left alone."""
        for task_id in task_ids:
            try:
                self._change(Change(task_id, CANCEL, self._cancelled(CANCELLED)))
            except ConditionFailedError:
                continue

    def unschedule(self, task_id: str) -> None:
        """Cancel a scheduled task for its owner, before it starts: its envelope may still
        arrive, and the worker's start refuses it. NotScheduledError once it has started (or
        was never scheduled)."""
        try:
            self._change(Change(task_id, UNSCHEDULE, self._cancelled(UNSCHEDULED), True))
        except ConditionFailedError as exc:
            raise NotScheduledError((exc.old or {}).get("status")) from None

    def get(self, task_id: str) -> TaskRow | None:
        row = self._read(task_id)
        return TaskRow.model_validate(row) if row is not None else None

    # The worker's side

    def start(self, task: TaskContext) -> None:
        """Take the task for one run: `running`, one more attempt, locked until the
        invocation's deadline. StartRefusedError, with the row as it stands, when it may not
        start: another run holds it, it succeeded, or it was cancelled."""
        if task.deadline is None:
            # Without it a crashed run's lock would never end: refuse to take one.
            raise RuntimeError("a run without a deadline takes no lock: it could never end")
        now = self.clock()
        values = self._from_envelope(task) | {
            "started_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "lock_until": _ms(task.deadline),
            "expires_at": self._expiry(now),
        }
        try:
            self._change(Change(task.id, START, values, old_on_failure=True))
        except ConditionFailedError as exc:
            raise StartRefusedError(exc.old) from None

    def succeed(self, task: TaskContext, duration_ms: float | None = None) -> None:
        """The result: the run ended well, after `duration_ms`; kept `retention` from now."""
        now = self.clock()
        values = {
            "finished_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "expires_at": self._expiry(now),
            "duration_ms": round(duration_ms, 3) if duration_ms is not None else None,
        }
        self._change(Change(task.id, SUCCEED, values))

    def record(self, task: TaskContext, transition: Transition, reason: Reason) -> None:
        """Any other outcome, written once the worker has acted on it; releases the lock."""
        now = self.clock()
        values = self._from_envelope(task) | {
            "reason": reason.model_dump(),
            "updated_at": now.isoformat(),
            "finished_at": now.isoformat(),
            "expires_at": self._expiry(now),
            FAILED_ON: now.date().isoformat(),
        }
        self._change(Change(task.id, transition, values))

    @abstractmethod
    def failures(self, day: date, limit: int = 50) -> list[TaskRow]:
        """Rows that went `retrying`, `failed` or `dead_lettered` on the UTC day, newest
        first."""

    # What a store implements

    @abstractmethod
    def _put_new(self, rows: Sequence[tuple[Transition, str, dict[str, Any]]]) -> None:
        """Write fresh rows (their ids are new: no condition)."""

    @abstractmethod
    def _delete(self, task_ids: list[str]) -> None: ...

    @abstractmethod
    def _read(self, task_id: str) -> dict[str, Any] | None:
        """The row as stored, read consistently."""

    @abstractmethod
    def _change(self, change: Change) -> None:
        """Apply a transition; ConditionFailedError (with the row, if asked) when it does not
        apply to the row as it stands."""

    # Values

    def _queued(self, envelope: Envelope, now: datetime) -> dict[str, Any]:
        return {
            "id": envelope.id,
            "task": envelope.task,
            "attempts": 0,
            "enqueued_at": envelope.enqueued_at.isoformat(),
            "due_at": envelope.due_at.isoformat() if envelope.due_at is not None else None,
            "updated_at": now.isoformat(),
            "correlation_id": envelope.correlation_id,
            "owner": envelope.owner,
            "expires_at": self._expiry(now),
        }

    def _from_envelope(self, task: TaskContext) -> dict[str, Any]:
        return {
            "id": task.id,
            "task": task.name,
            "enqueued_at": task.enqueued_at.isoformat(),
            "owner": task.owner,
            "correlation_id": task.correlation_id,
        }

    def _cancelled(self, reason: Reason) -> dict[str, Any]:
        now = self.clock().isoformat()
        return {"reason": reason.model_dump(), "updated_at": now, "finished_at": now}

    def _expiry(self, now: datetime) -> int:
        return int((now + self.retention).timestamp())


def key(task_id: str) -> dict[str, str]:
    return {"pk": f"TASK#{task_id}", "sk": "STATUS"}


class DynamoDBTaskRows(TaskRows):
    """Task rows in a DynamoDB table: each transition rendered into one write, its sources into
    the write's condition."""

    def __init__(
        self,
        table: Table,
        retention: timedelta = timedelta(days=14),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        super().__init__(retention, clock)
        self._table = table

    def failures(self, day: date, limit: int = 50) -> list[TaskRow]:
        # The index is eventually consistent, as every index is.
        items = self._table.query(
            f"{FAILED_ON} = :day",
            {":day": day.isoformat()},
            forward=False,
            limit=limit,
            index=FAILURE_INDEX,
        )
        return [TaskRow.model_validate(item) for item in items]

    def _put_new(self, rows: Sequence[tuple[Transition, str, dict[str, Any]]]) -> None:
        # One round trip for up to 25 rows.
        self._table.batch_write(
            puts=[key(task_id) | t.apply(None, values) for t, task_id, values in rows]
        )

    def _delete(self, task_ids: list[str]) -> None:
        self._table.batch_write(deletes=[key(task_id) for task_id in task_ids])

    def _read(self, task_id: str) -> dict[str, Any] | None:
        return self._table.get(key(task_id), consistent=True)

    def _change(self, change: Change) -> None:
        from offload.dynamodb import ConditionFailedError as TableConditionFailedError

        update = render(change.transition, change.values, _ms(self.clock()))
        try:
            self._table.update(key(change.task_id), **update, old_on_failure=change.old_on_failure)
        except TableConditionFailedError as exc:
            raise ConditionFailedError(exc.old) from None


def render(transition: Transition, values: Mapping[str, Any], now_ms: int) -> dict[str, Any]:
    """A transition as UpdateItem's expression, condition, names and values (a placeholder for
    every attribute: `status`, `owner` and others are DynamoDB reserved words)."""
    names = {"#status": "status"}
    given: dict[str, Any] = {":status": transition.to}
    sets = ["#status = :status"]

    def name(attribute: str) -> str:
        names[f"#{attribute}"] = attribute
        return f"#{attribute}"

    for attribute in transition.sets:
        if values.get(attribute) is not None:
            given[f":{attribute}"] = values[attribute]
            sets.append(f"{name(attribute)} = :{attribute}")
    for attribute in transition.fills:
        if values.get(attribute) is not None:
            given[f":{attribute}"] = values[attribute]
            placeholder = name(attribute)
            sets.append(f"{placeholder} = if_not_exists({placeholder}, :{attribute})")
    expression = "SET " + ", ".join(sets)
    if transition.removes:
        expression += " REMOVE " + ", ".join(name(a) for a in transition.removes)
    if transition.counts:
        given[":one"] = 1
        expression += " ADD " + ", ".join(f"{name(a)} :one" for a in transition.counts)
    update: dict[str, Any] = {"expression": expression}
    if transition.sources is not None:
        allowed = []
        if transition.sources:
            states = sorted(transition.sources)
            given |= {f":from{i}": state for i, state in enumerate(states)}
            allowed.append(f"#status IN ({', '.join(f':from{i}' for i in range(len(states)))})")
        if transition.creates:
            allowed.append("attribute_not_exists(pk)")
        if transition.reclaims:
            given |= {":running": "running", ":now_ms": now_ms}
            allowed.append(f"(#status = :running AND {name('lock_until')} < :now_ms)")
        update["condition"] = " OR ".join(allowed)
    update["names"] = names
    update["expression_values"] = given
    return update


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
