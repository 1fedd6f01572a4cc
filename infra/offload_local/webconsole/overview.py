"""The stack's queues (depth, in flight, oldest message's age; dead-letter queues marked) and its
alarms, with their state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from offload_local.queues.listing import list_queues
from offload_local.webconsole.stack import Target, explain


def queues(target: Target) -> list[dict[str, Any]]:
    view = target.view()
    urls = list(view.of_type("AWS::SQS::Queue").values())
    try:
        found = list_queues(target.clients, urls)
        ages = _oldest_ages(target, [q.name for q in found])
    except Exception as exc:
        raise explain(exc) from exc
    return [
        {
            "name": queue.name,
            "url": queue.url,
            "visible": queue.visible,
            "in_flight": queue.in_flight,
            "delayed": queue.delayed,
            "oldest_age_seconds": ages.get(queue.name),
            "dead_letter_queue": queue.is_dead_letter_queue,
            "dead_letters_go_to": (queue.dead_letter_target or "").rsplit(":", 1)[-1] or None,
        }
        for queue in found
    ]


def alarms(target: Target) -> list[dict[str, Any]]:
    names = sorted(target.view().of_type("AWS::CloudWatch::Alarm").values())
    if not names:
        return []
    try:
        described = []
        for start in range(0, len(names), 100):  # DescribeAlarms takes 100 names
            described += target.client("cloudwatch").describe_alarms(
                AlarmNames=names[start : start + 100]
            )["MetricAlarms"]
    except Exception as exc:
        raise explain(exc) from exc
    return [
        {
            "name": alarm["AlarmName"],
            "description": alarm.get("AlarmDescription", ""),
            "state": alarm.get("StateValue", "INSUFFICIENT_DATA"),
            "reason": alarm.get("StateReason", ""),
            "since": _iso(alarm.get("StateUpdatedTimestamp")),
        }
        for alarm in described
    ]


def _oldest_ages(target: Target, names: list[str]) -> dict[str, float]:
    """The latest ApproximateAgeOfOldestMessage of each queue (AWS/SQS; SQS's API has no such
    attribute), over the last 15 minutes."""
    if not names:
        return {}
    end = datetime.now(UTC)
    response = target.client("cloudwatch").get_metric_data(
        MetricDataQueries=[
            {
                "Id": f"q{i}",
                "MetricStat": {
                    "Metric": {
                        "Namespace": "AWS/SQS",
                        "MetricName": "ApproximateAgeOfOldestMessage",
                        "Dimensions": [{"Name": "QueueName", "Value": name}],
                    },
                    "Period": 60,
                    "Stat": "Maximum",
                },
            }
            for i, name in enumerate(names)
        ],
        StartTime=end - timedelta(minutes=15),
        EndTime=end,
        ScanBy="TimestampDescending",
    )
    ages: dict[str, float] = {}
    for result in response.get("MetricDataResults", []):
        points = sorted(zip(result.get("Timestamps", []), result.get("Values", []), strict=False))
        if points:
            ages[names[int(result["Id"][1:])]] = float(points[-1][1])
    return ages


def _iso(value: Any) -> str | None:
    return value.astimezone(UTC).isoformat() if isinstance(value, datetime) else None
