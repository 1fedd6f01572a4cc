"""Recent failures and a task's page, from the task rows (offload/rows.py): the failures from
the table's sparse RecentFailures index, today's and yesterday's, newest first; a task by id."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from offload_local.webconsole.stack import ConsoleError, Target, explain

#: The index and its partition key, as template.yaml and offload/lifecycle.py name them.
FAILURE_INDEX = "RecentFailures"
FAILED_ON = "failed_on"
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


def recent_failures(target: Target, limit: int = 50, days: int = 2) -> list[dict[str, Any]]:
    view = target.view()
    table = view.output("DataTableName")
    dynamodb = target.client("dynamodb")
    found: list[dict[str, Any]] = []
    today = datetime.now(UTC).date()
    try:
        for back in range(days):
            if len(found) >= limit:
                break
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
            found += [_shown(item) for item in response.get("Items", [])]
    except Exception as exc:
        raise explain(exc) from exc
    return found


def task_page(target: Target, task_id: str) -> dict[str, Any]:
    """The task's row and its timeline (what the row says happened, in order)."""
    if not task_id or len(task_id) > 64 or not task_id.replace("-", "").isalnum():
        raise ConsoleError(f"{task_id!r} is not a task id", status=400)
    view = target.view()
    try:
        item = (
            target.client("dynamodb")
            .get_item(
                TableName=view.output("DataTableName"),
                Key={"pk": {"S": f"TASK#{task_id}"}, "sk": {"S": "STATUS"}},
                ConsistentRead=True,
            )
            .get("Item")
        )
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
