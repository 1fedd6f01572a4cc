"""Task rows in memory, with the very lifecycle of the DynamoDB ones (offload.lifecycle: each
transition's sources and writes, applied to a dict): the worker's lock, cancellation and the
recent failures behave as they do on AWS. tests/unit/offload/test_rows.py holds both to the
same promises."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from offload.lifecycle import FAILED_ON, Transition
from offload.rows import Change, ConditionFailedError, TaskRow, TaskRows


class MemoryTaskRows(TaskRows):
    """TaskRows without DynamoDB: a dict of rows, keyed by task id."""

    def __init__(
        self, clock: Callable[[], datetime], retention: timedelta = timedelta(days=14)
    ) -> None:
        super().__init__(retention, clock)
        self.rows: dict[str, dict[str, Any]] = {}

    def failures(self, day: date, limit: int = 50) -> list[TaskRow]:
        found = [row for row in self.rows.values() if row.get(FAILED_ON) == day.isoformat()]
        found.sort(key=lambda row: str(row.get("updated_at", "")), reverse=True)
        return [TaskRow.model_validate(row) for row in found[:limit]]

    def _put_new(self, rows: Sequence[tuple[Transition, str, dict[str, Any]]]) -> None:
        for transition, task_id, values in rows:
            self.rows[task_id] = transition.apply(None, values)

    def _delete(self, task_ids: list[str]) -> None:
        for task_id in task_ids:
            self.rows.pop(task_id, None)

    def _read(self, task_id: str) -> dict[str, Any] | None:
        row = self.rows.get(task_id)
        return copy.deepcopy(row) if row is not None else None

    def _change(self, change: Change) -> None:
        row = self.rows.get(change.task_id)
        if not change.transition.allows(row, int(self.clock().timestamp() * 1000)):
            raise ConditionFailedError(copy.deepcopy(row) if change.old_on_failure else None)
        self.rows[change.task_id] = change.transition.apply(row, change.values)
