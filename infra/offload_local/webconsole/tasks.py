"""Recent failures and a task's page, from the task rows (offload/rows.py) in the table the
functions' OFFLOAD_TABLE_NAME names: the failures from its sparse failures index
(offload.lifecycle), today's and yesterday's, newest first; a task by id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from offload.lifecycle import FAILED_ON, FAILURE_INDEX
from offload_local.webconsole.stack import ConsoleError, Target, explain

#: Row attributes shown for a task (the caller's `sub` and the run's result are left out).
SHOWN = (
    "id",
    "task",
    "status",
    "attempts",
    "reason",
    "enqueued_at",
    "started_at",
    "finished_at",
    "updated_at",
    "duration_ms",
    "correlation_id",
)


def recent_failures(
    target: Target,
    limit: int = 50,
    days: int = 2,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[dict[str, Any]]:
    """The tasks that failed on the last `days` UTC days by `clock` (today, yesterday), newest
    first, at most `limit`."""
    tables = target.view().task_tables()
    dynamodb = target.client("dynamodb")
    found: list[dict[str, Any]] = []
    today = clock().astimezone(UTC).date()
    try:
        for back in range(days):
            day: list[dict[str, Any]] = []
            for table in tables:
                response = dynamodb.query(
                    TableName=table,
                    IndexName=FAILURE_INDEX,
                    KeyConditionExpression="#d = :day",
                    ExpressionAttributeNames={"#d": FAILED_ON},
                    ExpressionAttributeValues={
                        ":day": {"S": (today - timedelta(days=back)).isoformat()}
                    },
                    ScanIndexForward=False,
                    Limit=limit - len(found),
                )
                day += [_shown(item) for item in response.get("Items", [])]
            # Newest first across tables, as each table's index gives its own.
            found += sorted(day, key=lambda row: str(row.get("updated_at", "")), reverse=True)
            if len(found) >= limit:
                break
    except Exception as exc:
        raise explain(exc) from exc
    return found[:limit]


def task_page(target: Target, task_id: str) -> dict[str, Any]:
    """The task's row and its timeline (what the row says happened, in order)."""
    if not task_id or len(task_id) > 64 or not task_id.replace("-", "").isalnum():
        raise ConsoleError(f"{task_id!r} is not a task id", status=400)
    from boto3.dynamodb.types import TypeSerializer

    from offload.rows import key

    serializer = TypeSerializer()
    item = None
    try:
        for table in target.view().task_tables():
            item = (
                target.client("dynamodb")
                .get_item(
                    TableName=table,
                    Key={name: serializer.serialize(value) for name, value in key(task_id).items()},
                    ConsistentRead=True,
                )
                .get("Item")
            )
            if item is not None:
                break
    except Exception as exc:
        raise explain(exc) from exc
    if item is None:
        raise ConsoleError(
            f"No task {task_id} (never queued, or forgotten after its retention)", status=404
        )
    task = _shown(item)
    return {"task": task, "timeline": timeline(task)}


def timeline(task: dict[str, Any]) -> list[dict[str, str]]:
    events = [("enqueued_at", "queued")]
    attempts = task.get("attempts") or 0
    events.append(("started_at", f"started (attempt {attempts})" if attempts else "started"))
    status = task.get("status", "")
    if task.get("finished_at"):
        events.append(("finished_at", status.replace("_", " ")))
    elif status not in ("queued", "running"):
        events.append(("updated_at", status.replace("_", " ")))
    shown = [{"at": str(task[key]), "event": label} for key, label in events if task.get(key)]
    return sorted(shown, key=lambda event: event["at"])


def _shown(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()
    values = {key: deserializer.deserialize(value) for key, value in item.items()}
    return {key: _plain(values[key]) for key in SHOWN if key in values}


def _plain(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
