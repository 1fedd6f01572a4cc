"""Dataset summaries by id: written by the worker, read by the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from app import aws
from app.data_summary import DatasetSummary
from app.table import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class SummaryRecord(BaseModel):
    id: str
    status: Literal["ready", "failed"]
    source: str
    summary: DatasetSummary | None = None
    error: str | None = None
    completed_at: datetime


def _key(dataset_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"DATASET#{dataset_id}"}, "sk": {"S": "SUMMARY"}}


class SummaryStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def save(
        self,
        dataset_id: str,
        source: str,
        summary: DatasetSummary | None = None,
        error: str | None = None,
    ) -> SummaryRecord:
        record = SummaryRecord(
            id=dataset_id,
            status="failed" if error else "ready",
            source=source,
            summary=summary,
            error=error,
            completed_at=datetime.now(UTC),
        )
        # Stored as one JSON document: summaries are read whole, never queried by field.
        aws.dynamodb().put_item(
            TableName=self._table,
            Item=_key(dataset_id) | {"document": {"S": record.model_dump_json()}},
        )
        return record

    def get(self, dataset_id: str) -> SummaryRecord | None:
        response = aws.dynamodb().get_item(TableName=self._table, Key=_key(dataset_id))
        if "Item" not in response:
            return None
        return SummaryRecord.model_validate_json(response["Item"]["document"]["S"])
