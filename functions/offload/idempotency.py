"""At most one completed run per task id: Powertools idempotency, kept on the task's own row.

The persistence layer below is Powertools' documented extension point (a BasePersistenceLayer
implementing its four methods) over offload.records: the worker's `running` write is the
in-progress record, `succeeded` the completed one. No table of its own, no second row: a task
costs the same writes with idempotency as without.

Behaviour, as Powertools defines it:

- a completed id returns at once, the effect is not run again;
- an id in progress elsewhere raises IdempotencyAlreadyInProgressError, which the worker retries,
  never reports as a success;
- the in-progress lock expires with the invocation (the Lambda context's remaining time), so a
  crashed worker does not block its task.

Where this layer differs: a failed run does not delete the record. The worker decides the
outcome, acts on it (a visibility change, a dead letter) and then records it, which also
releases the lock; a crash before that leaves the lock to expire.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import (
    STATUS_CONSTANTS,
    DataRecord,
)

from offload.context import current_task
from offload.records import StartRefusedError, TaskRecords

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext

#: The key prefix Powertools puts before the key: the records' own partition key prefix.
KEY_PREFIX = "TASK"
Run = Literal["ran", "done", "cancelled"]
#: What a cancelled task's row answers in place of a completed run's response.
CANCELLED = {"cancelled": True}


class TaskRecordPersistence(BasePersistenceLayer):
    """Powertools' idempotency records, read from and written to the tasks' rows."""

    def __init__(self, records: TaskRecords) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._records = records

    def _generate_hash(self, data: Any) -> str:
        # The key is the envelope's id itself (made once at enqueue), not a digest of it: the
        # idempotency key is then "TASK#<id>", the row's own key.
        return str(data)

    def _get_record(self, idempotency_key: str) -> DataRecord:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyItemNotFoundError,
        )

        row = self._records.row(_task_id(idempotency_key))
        record = _data_record(idempotency_key, row)
        if record is None:
            raise IdempotencyItemNotFoundError
        return record

    def _put_record(self, data_record: DataRecord) -> None:
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyItemAlreadyExistsError,
        )

        task = current_task()
        if task.id != _task_id(data_record.idempotency_key):
            raise RuntimeError("the idempotency key is not the running task's id")
        if data_record.in_progress_expiry_timestamp is None:
            # Without it a crashed run's lock would never expire: refuse to take one.
            raise RuntimeError("no Lambda context registered: the lock could never expire")
        try:
            self._records.start(task, lock_until_ms=data_record.in_progress_expiry_timestamp)
        except StartRefusedError as exc:
            raise IdempotencyItemAlreadyExistsError(
                old_data_record=_data_record(data_record.idempotency_key, exc.current)
            ) from None

    def _update_record(self, data_record: DataRecord) -> None:
        task = current_task()
        self._records.succeed(
            _task_id(data_record.idempotency_key),
            response=data_record.response_data or "{}",
            duration_ms=task.elapsed_ms(),
        )

    def _delete_record(self, data_record: DataRecord) -> None:
        # Not deleted: the worker records the run's outcome once it has acted on it, and that
        # write releases the lock (see the module's docstring).
        return None


def _task_id(idempotency_key: str) -> str:
    prefix = f"{KEY_PREFIX}#"
    if not idempotency_key.startswith(prefix):
        raise ValueError(f"not a task key: {idempotency_key!r}")
    return idempotency_key[len(prefix) :]


def _data_record(idempotency_key: str, row: dict[str, Any] | None) -> DataRecord | None:
    """A task row as Powertools sees it: running is in progress, succeeded and cancelled are
    completed (a cancelled task's "response" says so); any other state is no record at all."""
    if not row:
        return None
    status = row.get("status")
    if status == "running":
        return DataRecord(
            idempotency_key=idempotency_key,
            status=STATUS_CONSTANTS["INPROGRESS"],
            in_progress_expiry_timestamp=int(row.get("lock_until", 0)),
        )
    if status in ("succeeded", "cancelled"):
        response = row.get("response") if status == "succeeded" else json.dumps(CANCELLED)
        return DataRecord(
            idempotency_key=idempotency_key,
            status=STATUS_CONSTANTS["COMPLETED"],
            response_data=str(response or "{}"),
        )
    return None


class Idempotency:
    """Runs a task's effect once per id, through Powertools, on the task's row."""

    def __init__(
        self, records: TaskRecords, expires_after_seconds: Callable[[], int] | int
    ) -> None:
        self._records = records
        self._expires = expires_after_seconds

    @cached_property
    def config(self) -> IdempotencyConfig:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

        expires = self._expires() if callable(self._expires) else self._expires
        return IdempotencyConfig(
            event_key_jmespath="id", expires_after_seconds=expires, raise_on_no_idempotency_key=True
        )

    @cached_property
    def _once(self) -> Callable[..., Any]:
        from aws_lambda_powertools.utilities.idempotency import idempotent_function

        @idempotent_function(  # type: ignore[untyped-decorator]
            data_keyword_argument="task",
            persistence_store=TaskRecordPersistence(self._records),
            config=self.config,
            key_prefix=KEY_PREFIX,
        )
        def once(task: dict[str, str], effect: Callable[[], Any]) -> dict[str, Any]:
            effect()
            return {"done": True}

        run: Callable[..., Any] = once
        return run

    def register_context(self, context: LambdaContext) -> None:
        self.config.register_lambda_context(context)

    def run(self, task_id: str, effect: Callable[[], Any]) -> Run:
        """Run `effect` once for the task: "ran" now, or not at all because it was "done"
        before or "cancelled".

        Raises IdempotencyAlreadyInProgressError while another run holds the task, and
        whatever the effect raises.
        """
        ran = False

        def tracked() -> None:
            nonlocal ran
            ran = True
            effect()

        response = self._once(task={"id": task_id}, effect=tracked)
        if ran:
            return "ran"
        return "cancelled" if response == CANCELLED else "done"
