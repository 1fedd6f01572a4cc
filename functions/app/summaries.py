"""Dataset summaries by id: created pending by the API for its caller, completed by the worker.

The record keeps its owner apart from the document the worker writes, so that completing a
summary can never change whose it is.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from app import aws
from app.data_summary import DatasetSummary
from app.table import table_name
from offload.reasons import Reason

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

#: pending: accepted, the worker has not finished; ready: `summary` is there; failed: `reason`.
SummaryState = Literal["pending", "ready", "failed"]


class SummaryRecord(BaseModel):
    id: str
    status: SummaryState
    source: str
    summary: DatasetSummary | None = None
    reason: Reason | None = None
    created_at: datetime
    completed_at: datetime | None = None
    #: The `sub` of the user who posted the dataset. Never shown.
    owner: str | None = Field(default=None, exclude=True)


def _key(dataset_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"DATASET#{dataset_id}"}, "sk": {"S": "SUMMARY"}}


class SummaryStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    # The API's side: a new pending record, taken back if its task could not be queued.

    def create(self, dataset_id: str, owner: str, source: str = "api") -> SummaryRecord:
        record = SummaryRecord(
            id=dataset_id,
            status="pending",
            source=source,
            created_at=datetime.now(UTC),
            owner=owner,
        )
        aws.dynamodb().put_item(
            TableName=self._table,
            Item=_key(dataset_id)
            | {"owner": {"S": owner}, "document": {"S": record.model_dump_json()}},
            ConditionExpression="attribute_not_exists(pk)",
        )
        return record

    def delete(self, dataset_id: str) -> None:
        aws.dynamodb().delete_item(TableName=self._table, Key=_key(dataset_id))

    # The worker's side: the outcome, written over the pending document.

    def complete(
        self,
        dataset_id: str,
        *,
        summary: DatasetSummary | None = None,
        reason: Reason | None = None,
    ) -> None:
        """Record a summary, or the reason there is none. Writing the same outcome again on a
        redelivery leaves the same record."""
        current = self.get(dataset_id)
        now = datetime.now(UTC)
        record = SummaryRecord(
            id=dataset_id,
            status="failed" if reason is not None else "ready",
            source=current.source if current else "api",
            summary=summary,
            reason=reason,
            created_at=current.created_at if current else now,
            completed_at=now,
        )
        # Stored as one JSON document: summaries are read whole, never queried by field.
        aws.dynamodb().update_item(
            TableName=self._table,
            Key=_key(dataset_id),
            UpdateExpression="SET document = :document",
            ExpressionAttributeValues={":document": {"S": record.model_dump_json()}},
        )

    def get(self, dataset_id: str) -> SummaryRecord | None:
        response = aws.dynamodb().get_item(
            TableName=self._table, Key=_key(dataset_id), ConsistentRead=True
        )
        item = response.get("Item")
        if item is None:
            return None
        record = SummaryRecord.model_validate_json(item["document"]["S"])
        owner = item.get("owner", {}).get("S")
        return record.model_copy(update={"owner": owner})
