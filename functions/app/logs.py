"""The notification log: entries written by the worker, read back by the API (DynamoDB)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel

from app import aws
from app.settings import get_settings
from app.table import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class LogEntry(BaseModel):
    id: str
    message: str
    created_at: datetime
    correlation_id: str | None = None


def _partition(day: datetime) -> str:
    # One partition per day keeps writes spread out and "recent" a query, not a scan.
    return f"LOG#{day:%Y-%m-%d}"


class LogStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def write(
        self, message: str, *, entry_id: str, created_at: datetime, correlation_id: str | None
    ) -> LogEntry:
        """Store an entry. Writing the same id again overwrites it: retries add nothing."""
        entry = LogEntry(
            id=entry_id, message=message, created_at=created_at, correlation_id=correlation_id
        )
        expires = created_at + timedelta(days=get_settings().LOG_RETENTION_DAYS)
        item: dict[str, AttributeValueTypeDef] = {
            "pk": {"S": _partition(created_at)},
            "sk": {"S": f"{created_at.isoformat()}#{entry_id}"},
            "id": {"S": entry_id},
            "message": {"S": message},
            "created_at": {"S": created_at.isoformat()},
            "expires_at": {"N": str(int(expires.timestamp()))},
        }
        if correlation_id:
            item["correlation_id"] = {"S": correlation_id}
        aws.dynamodb().put_item(TableName=self._table, Item=item)
        return entry

    def recent(self, limit: int = 50, now: datetime | None = None) -> list[LogEntry]:
        """The newest entries of today and yesterday, newest first."""
        today = now or datetime.now(UTC)
        entries: list[LogEntry] = []
        for day in (today, today - timedelta(days=1)):
            if len(entries) >= limit:
                break
            response = aws.dynamodb().query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": _partition(day)}},
                ScanIndexForward=False,
                Limit=limit - len(entries),
            )
            entries += [
                LogEntry(
                    id=item["id"]["S"],
                    message=item["message"]["S"],
                    created_at=datetime.fromisoformat(item["created_at"]["S"]),
                    correlation_id=item.get("correlation_id", {}).get("S"),
                )
                for item in response.get("Items", [])
            ]
        return entries
