"""One row per task: where it stands (for its owner to read) and, for the worker, its
idempotency record: `running` is the lock, `succeeded` the completed record.

Its life, three writes when all goes well:

- `queued`: written by the API before the task goes to SQS, all of a request's rows in one
  BatchWriteItem (fresh ids: nothing to overwrite). Rows of tasks SQS then refuses are deleted;
  rows of tasks SQS took for a request answered 503 become `cancelled`. A task added for later
  is `scheduled` instead, with its due time, until it arrives; its owner may cancel it until
  then (`unschedule`).
- `running`: the worker's start, a conditional write that is also the idempotency lock (see
  offload.idempotency): refused while another run holds an unexpired lock, for a task that
  succeeded, and for a cancelled one.
- `succeeded`: the completed record; or `retrying`, `failed`, `dead_lettered` with a public
  reason, written once the worker has acted on that outcome (which also releases the lock).

Recent failures are listed from a sparse index (the table's `RecentFailures`, template.yaml):
a row is in it while it is `retrying`, `failed` or `dead_lettered`, under the UTC day it got
there (`failed_on`) and sorted by `updated_at`. The attribute is set and removed by the writes
above, never by a write of its own: a task that succeeds never enters the index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from offload.dynamodb import ConditionFailedError, Table
from offload.reasons import CANCELLED, UNSCHEDULED, Reason

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient

    from offload.context import TaskContext
    from offload.envelope import Envelope

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
#: What a task's run came to: a state it is recorded in, or `rejected` (recorded `failed`, but
#: counted apart in metrics: the user's input, not an operator's problem).
Outcome = State | Literal["rejected"]
FINAL_STATES: frozenset[str] = frozenset({"succeeded", "failed", "dead_lettered", "cancelled"})
#: States a worker may start the task from (a lock that expired is checked apart). Failed and
#: dead-lettered tasks run again when their message is redriven after a fix. A scheduled task's
#: envelope arrives when it is due (SQS's delay, or its schedule firing).
STARTABLE: tuple[State, ...] = ("queued", "scheduled", "retrying", "failed", "dead_lettered")
#: States that put a row in the RecentFailures index: what an operator may want to look at.
FAILURE_STATES: frozenset[str] = frozenset({"retrying", "failed", "dead_lettered"})
#: The index's partition key (the UTC day the row got there) and its name.
FAILED_ON = "failed_on"
FAILURE_INDEX = "RecentFailures"


class TaskRecord(BaseModel):
    """A task as its owner sees it through GET /tasks/{id}."""

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


class NotScheduledError(Exception):
    """Raise when a task cannot be unscheduled: it is not (or no longer) `scheduled`."""

    def __init__(self, status: str | None) -> None:
        super().__init__(f"the task is {status or 'gone'}, not scheduled")
        self.status = status


class StartRefusedError(Exception):
    """Raise when a task may not start now; `current` is its row as it stands."""

    def __init__(self, current: dict[str, Any] | None) -> None:
        super().__init__("the task may not start now")
        self.current = current or {}

    @property
    def status(self) -> str | None:
        status = self.current.get("status")
        return str(status) if status is not None else None


def key(task_id: str) -> dict[str, str]:
    return {"pk": f"TASK#{task_id}", "sk": "STATUS"}


class TaskRecords:
    """Task rows in a DynamoDB table keyed (pk, sk) = ("TASK#<id>", "STATUS"), with a TTL.

    `retention` is how long a row outlives its last write: for a finished task, how long its
    id is remembered as done, so it must outlast every redelivery and redrive of its message.
    """

    def __init__(
        self,
        table: str | Callable[[], str],
        client: Callable[[], DynamoDBClient],
        retention: timedelta = timedelta(days=14),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._table = Table(table, client)
        self._retention = retention
        self._clock = clock

    # The API's side

    def queued(self, envelopes: Sequence[Envelope]) -> None:
        """Rows for tasks about to be sent to SQS: one round trip for up to 25 of them."""
        now = self._clock()
        self._table.batch_write(puts=[key(e.id) | self._queued_row(e, now) for e in envelopes])

    def _queued_row(self, envelope: Envelope, now: datetime) -> dict[str, Any]:
        """What the API knows of a task it is about to send (None: not stored)."""
        return {
            "id": envelope.id,
            "task": envelope.task,
            "status": "queued" if envelope.due_at is None else "scheduled",
            "attempts": 0,
            "enqueued_at": envelope.enqueued_at.isoformat(),
            "due_at": envelope.due_at.isoformat() if envelope.due_at is not None else None,
            "updated_at": now.isoformat(),
            "correlation_id": envelope.correlation_id,
            "owner": envelope.owner,
            "expires_at": self._expiry(now),
        }

    def discard(self, task_ids: Iterable[str]) -> None:
        """Forget rows of tasks SQS refused: no worker can ever see those."""
        self._table.batch_write(deletes=[key(task_id) for task_id in task_ids])

    def cancel(self, task_ids: Iterable[str]) -> None:
        """Tasks SQS took for a request answered 503 (it refused their partners): SQS cannot
        give a message back, so the worker is told not to run them. A task a worker has
        already started is left alone."""
        for task_id in task_ids:
            try:
                self._cancel(task_id, CANCELLED, ("queued", "scheduled"))
            except ConditionFailedError:
                continue

    def unschedule(self, task_id: str) -> None:
        """Cancel a scheduled task for its owner, before it starts: its envelope may still
        arrive, and the worker's start refuses it. NotScheduledError once it has started (or
        was never scheduled)."""
        try:
            self._cancel(task_id, UNSCHEDULED, ("scheduled",))
        except ConditionFailedError as exc:
            raise NotScheduledError((exc.old or {}).get("status")) from None

    def _cancel(self, task_id: str, reason: Reason, states: tuple[State, ...]) -> None:
        values: dict[str, Any] = {
            ":cancelled": "cancelled",
            ":reason": reason.model_dump(),
            ":now": self._clock().isoformat(),
        }
        values |= {f":from{i}": state for i, state in enumerate(states)}
        self._table.update(
            key(task_id),
            "SET #s = :cancelled, reason = :reason, updated_at = :now, finished_at = :now",
            condition=f"#s IN ({', '.join(f':from{i}' for i in range(len(states)))})",
            names={"#s": "status"},
            expression_values=values,
            old_on_failure=True,
        )

    def get(self, task_id: str) -> TaskRecord | None:
        values = self._table.get(key(task_id), consistent=True)
        return TaskRecord.model_validate(values) if values is not None else None

    # The worker's side

    def start(self, context: TaskContext, lock_until_ms: int) -> None:
        """Take the task for one run: `running`, one more attempt, locked until
        `lock_until_ms` (epoch milliseconds; the invocation's deadline). StartRefusedError
        with the row as it stands when it may not start."""
        now = self._clock()
        names = {"#s": "status"}
        values: dict[str, Any] = {
            ":running": "running",
            ":task": context.name,
            ":now": now.isoformat(),
            ":now_ms": int(now.timestamp() * 1000),
            ":lock": lock_until_ms,
            ":one": 1,
            ":expires": self._expiry(now),
            ":enqueued": context.enqueued_at.isoformat(),
            ":id": context.id,
        }
        startable = []
        for index, state in enumerate(STARTABLE):
            values[f":from{index}"] = state
            startable.append(f":from{index}")
        expression = (
            "SET #s = :running, task = :task, started_at = :now, updated_at = :now, "
            "lock_until = :lock, expires_at = :expires, "
            "id = if_not_exists(id, :id), enqueued_at = if_not_exists(enqueued_at, :enqueued)"
        )
        # The row may not be there (a message from before it, or a task no API queued): the
        # envelope fills in what the API would have written.
        if context.owner is not None:
            expression += ", #o = if_not_exists(#o, :owner)"
            values[":owner"] = context.owner
            names["#o"] = "owner"
        if context.correlation_id is not None:
            expression += ", correlation_id = if_not_exists(correlation_id, :correlation)"
            values[":correlation"] = context.correlation_id
        # A run starting again takes the row out of the recent failures (REMOVE costs nothing
        # for a row that is not in them).
        expression += f" REMOVE reason, finished_at, duration_ms, {FAILED_ON} ADD attempts :one"
        try:
            self._table.update(
                key(context.id),
                expression,
                condition=(
                    f"attribute_not_exists(pk) OR #s IN ({', '.join(startable)}) "
                    "OR (#s = :running AND lock_until < :now_ms)"
                ),
                names=names,
                expression_values=values,
                old_on_failure=True,
            )
        except ConditionFailedError as exc:
            raise StartRefusedError(exc.old) from None

    def succeed(self, task_id: str, response: str, duration_ms: float | None) -> None:
        """The completed record: what the run returned (JSON), kept `retention` from now."""
        now = self._clock()
        values: dict[str, Any] = {
            ":succeeded": "succeeded",
            ":now": now.isoformat(),
            ":response": response,
            ":expires": self._expiry(now),
        }
        expression = (
            "SET #s = :succeeded, finished_at = :now, updated_at = :now, "
            "#r = :response, expires_at = :expires"
        )
        if duration_ms is not None:
            expression += ", duration_ms = :duration"
            values[":duration"] = round(duration_ms, 3)
        self._table.update(
            key(task_id),
            expression + f" REMOVE lock_until, {FAILED_ON}",
            names={"#s": "status", "#r": "response"},
            expression_values=values,
        )

    def finish(self, context: TaskContext, status: State, reason: Reason) -> None:
        """Any other outcome, written once the worker has acted on it; releases the lock. The
        row may not be there (a task that failed before it could start, from a message no API
        recorded): the envelope fills in what the API would have written."""
        now = self._clock()
        names = {"#s": "status"}
        values: dict[str, Any] = {
            ":status": status,
            ":reason": reason.model_dump(),
            ":now": now.isoformat(),
            ":id": context.id,
            ":task": context.name,
            ":enqueued": context.enqueued_at.isoformat(),
            ":expires": self._expiry(now),
        }
        expression = (
            "SET #s = :status, reason = :reason, updated_at = :now, expires_at = :expires, "
            "id = if_not_exists(id, :id), task = if_not_exists(task, :task), "
            "enqueued_at = if_not_exists(enqueued_at, :enqueued)"
        )
        if status in FINAL_STATES:
            expression += ", finished_at = :now"
        removed = "lock_until"
        if status in FAILURE_STATES:
            expression += f", {FAILED_ON} = :day"
            values[":day"] = now.date().isoformat()
        else:
            removed += f", {FAILED_ON}"
        if context.owner is not None:
            expression += ", #o = if_not_exists(#o, :owner)"
            values[":owner"] = context.owner
            names["#o"] = "owner"
        self._table.update(
            key(context.id),
            f"{expression} REMOVE {removed}",
            names=names,
            expression_values=values,
        )

    def failures(self, day: date, limit: int = 50) -> list[TaskRecord]:
        """Rows that went `retrying`, `failed` or `dead_lettered` on the UTC day, newest
        first (the RecentFailures index; eventually consistent, as every index is)."""
        items = self._table.query(
            f"{FAILED_ON} = :day",
            {":day": day.isoformat()},
            forward=False,
            limit=limit,
            index=FAILURE_INDEX,
        )
        return [TaskRecord.model_validate(item) for item in items]

    def row(self, task_id: str) -> dict[str, Any] | None:
        """The row as stored (for the idempotency layer)."""
        return self._table.get(key(task_id), consistent=True)

    def _expiry(self, now: datetime) -> int:
        return int((now + self._retention).timestamp())
