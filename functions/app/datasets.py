"""Datasets posted to the API, by id: created pending for the caller, completed by the worker with
their summary (or why there is none).

The record keeps its owner apart from what the worker writes, so that completing a summary can
never change whose it is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import Field

from app.data_summary import DatasetSummary
from app.table import Record, values_of
from offload.reasons import Reason

if TYPE_CHECKING:
    from app.table import Table

#: pending: accepted, the worker has not finished; ready: `summary` is there; failed: `reason`.
DatasetState = Literal["pending", "ready", "failed"]


class Dataset(Record):
    id: str
    status: DatasetState
    source: str
    summary: DatasetSummary | None = None
    reason: Reason | None = None
    created_at: datetime
    completed_at: datetime | None = None
    #: The `sub` of the user who posted the dataset. Never shown.
    owner: str | None = Field(default=None, exclude=True)


def key(dataset_id: str) -> dict[str, str]:
    return {"pk": f"DATASET#{dataset_id}", "sk": "SUMMARY"}


class DatasetStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    # The API's side: a new pending record, taken back if its task could not be queued.

    def create(self, dataset_id: str, owner: str, source: str = "api") -> Dataset:
        record = Dataset(
            id=dataset_id,
            status="pending",
            source=source,
            created_at=datetime.now(UTC),
            owner=owner,
        )
        self._table.put(key(dataset_id) | values_of(record), condition="attribute_not_exists(pk)")
        return record

    def delete(self, dataset_id: str) -> None:
        self._table.delete(key(dataset_id))

    # The worker's side: the outcome, written over the pending record.

    def complete(
        self,
        dataset_id: str,
        *,
        summary: DatasetSummary | None = None,
        reason: Reason | None = None,
    ) -> None:
        """Record a summary, or the reason there is none. Writing the same outcome again on a
        redelivery leaves the same record; the owner and creation are left as they are."""
        values = {
            ":status": "failed" if reason is not None else "ready",
            ":now": datetime.now(UTC).isoformat(),
        }
        expression = "SET #s = :status, completed_at = :now"
        remove = []
        # The summary as one JSON document: read whole, never queried, and its numbers may
        # be beyond what a DynamoDB number holds (1e308 is a float; DynamoDB stops at 1e126).
        for name, value in (("summary", summary), ("reason", reason)):
            if value is None:
                remove.append(name)
            else:
                expression += f", {name} = :{name}"
                values[f":{name}"] = value.model_dump_json()
        if remove:
            expression += " REMOVE " + ", ".join(remove)
        self._table.update(
            key(dataset_id), expression, names={"#s": "status"}, expression_values=values
        )

    def get(self, dataset_id: str) -> Dataset | None:
        values = self._table.get(key(dataset_id), consistent=True)
        if values is None:
            return None
        for name in ("summary", "reason"):
            if isinstance(values.get(name), str):
                values[name] = json.loads(values[name])
        return Dataset.model_validate(values)
