"""Task rows in memory, with the very rules of offload.records.TaskRecords (states, the start's
condition that is also the idempotency lock, cancellation): the worker's idempotency runs on
them unchanged. tests/unit/offload/test_testing_records.py holds both to the same contract."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from offload.reasons import CANCELLED, UNSCHEDULED, Reason
from offload.records import (
    FAILED_ON,
    FAILURE_STATES,
    FINAL_STATES,
    STARTABLE,
    NotScheduledError,
    StartRefusedError,
    State,
    TaskRecord,
    TaskRecords,
)

if TYPE_CHECKING:
    from offload.context import TaskContext
    from offload.envelope import Envelope


class InMemoryTaskRecords(TaskRecords):
    """TaskRecords without DynamoDB: a dict of rows, keyed by task id."""

    def __init__(
        self, clock: Callable[[], datetime], retention: timedelta = timedelta(days=14)
    ) -> None:
        super().__init__("in-memory", _no_client, retention=retention, clock=clock)
        self.rows: dict[str, dict[str, Any]] = {}

    def queued(self, envelopes: Sequence[Envelope]) -> None:
        now = self._clock()
        for e in envelopes:
            self.rows[e.id] = _clean(self._queued_row(e, now))

    def discard(self, task_ids: Iterable[str]) -> None:
        for task_id in task_ids:
            self.rows.pop(task_id, None)

    def cancel(self, task_ids: Iterable[str]) -> None:
        for task_id in task_ids:
            self._cancel_if(task_id, CANCELLED, ("queued", "scheduled"))

    def unschedule(self, task_id: str) -> None:
        if not self._cancel_if(task_id, UNSCHEDULED, ("scheduled",)):
            raise NotScheduledError((self.rows.get(task_id) or {}).get("status"))

    def get(self, task_id: str) -> TaskRecord | None:
        row = self.rows.get(task_id)
        return TaskRecord.model_validate(row) if row is not None else None

    def start(self, context: TaskContext, lock_until_ms: int) -> None:
        now = self._clock()
        row = self.rows.get(context.id)
        if row is not None:
            status = row.get("status")
            lock_expired = status == "running" and row.get("lock_until", 0) < _ms(now)
            if status not in STARTABLE and not lock_expired:
                raise StartRefusedError(copy.deepcopy(row))
        row = self.rows.setdefault(context.id, {})
        row.setdefault("id", context.id)
        row.setdefault("enqueued_at", context.enqueued_at.isoformat())
        if context.owner is not None:
            row.setdefault("owner", context.owner)
        if context.correlation_id is not None:
            row.setdefault("correlation_id", context.correlation_id)
        for name in ("reason", "finished_at", "duration_ms", FAILED_ON):
            row.pop(name, None)
        row.update(
            status="running",
            task=context.name,
            started_at=now.isoformat(),
            updated_at=now.isoformat(),
            lock_until=lock_until_ms,
            expires_at=self._expiry(now),
            attempts=int(row.get("attempts", 0)) + 1,
        )

    def succeed(self, task_id: str, response: str, duration_ms: float | None) -> None:
        now = self._clock()
        row = self.rows.setdefault(task_id, {})
        row.pop("lock_until", None)
        row.pop(FAILED_ON, None)
        row.update(
            status="succeeded",
            finished_at=now.isoformat(),
            updated_at=now.isoformat(),
            response=response,
            expires_at=self._expiry(now),
        )
        if duration_ms is not None:
            row["duration_ms"] = round(duration_ms, 3)

    def finish(self, context: TaskContext, status: State, reason: Reason) -> None:
        now = self._clock()
        row = self.rows.setdefault(context.id, {})
        row.pop("lock_until", None)
        row.update(
            status=status,
            reason=reason.model_dump(),
            updated_at=now.isoformat(),
            expires_at=self._expiry(now),
        )
        row.setdefault("id", context.id)
        row.setdefault("task", context.name)
        row.setdefault("enqueued_at", context.enqueued_at.isoformat())
        if status in FINAL_STATES:
            row["finished_at"] = now.isoformat()
        if status in FAILURE_STATES:
            row[FAILED_ON] = now.date().isoformat()
        else:
            row.pop(FAILED_ON, None)
        if context.owner is not None:
            row.setdefault("owner", context.owner)

    def failures(self, day: date, limit: int = 50) -> list[TaskRecord]:
        found = [row for row in self.rows.values() if row.get(FAILED_ON) == day.isoformat()]
        found.sort(key=lambda row: str(row.get("updated_at", "")), reverse=True)
        return [TaskRecord.model_validate(row) for row in found[:limit]]

    def row(self, task_id: str) -> dict[str, Any] | None:
        row = self.rows.get(task_id)
        return copy.deepcopy(row) if row is not None else None

    def _cancel_if(self, task_id: str, reason: Reason, states: tuple[State, ...]) -> bool:
        row = self.rows.get(task_id)
        if row is None or row.get("status") not in states:
            return False
        now = self._clock().isoformat()
        row.update(status="cancelled", reason=reason.model_dump(), updated_at=now, finished_at=now)
        return True


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _no_client() -> Any:
    raise RuntimeError("in-memory task records use no DynamoDB client")
