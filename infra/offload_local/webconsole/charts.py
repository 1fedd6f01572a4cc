"""The console's charts: the worker's task metrics (offload/hooks.py MetricsHook) over the last
hour or day, for all tasks and by task name, from the namespace each worker publishes in (its
POWERTOOLS_METRICS_NAMESPACE). This repository's CloudWatch dashboard draws the same charts
(tests/template checks they agree); both read the metrics CloudWatch holds, which locally the
local cloud extracts from the functions' EMF lines, as CloudWatch Logs does on AWS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from offload_local.webconsole.stack import Target, explain

#: Outcome counts, in the order the charts stack them: metric name -> label.
OUTCOMES = {
    "TasksSucceeded": "succeeded",
    "TasksRetried": "retried",
    "TasksFailed": "failed",
    "TasksRejected": "rejected",
    "TasksDeadLettered": "dead-lettered",
}


@dataclass(frozen=True)
class Chart:
    title: str
    metrics: tuple[str, ...]
    unit: str


CHARTS = (
    Chart("Tasks by outcome", tuple(OUTCOMES), "tasks"),
    Chart("Wait time (enqueue to start)", ("TaskWaitTime",), "ms"),
    Chart("Run time", ("TaskDuration",), "ms"),
    Chart("Attempts per finished task", ("TaskAttempts",), "attempts"),
)
#: window -> (length, period of a point)
WINDOWS = {"hour": (timedelta(hours=1), 60), "day": (timedelta(days=1), 900)}
#: For the figures the charts draw: counts are summed; times and attempts are drawn as their
#: average (Sum / SampleCount, so tasks add up right) and maximum.
STATS = ("Sum", "SampleCount", "Maximum")


def charts(target: Target, window: str) -> dict[str, Any]:
    """Every task name's series of every chart's metrics over the window.

    {"window", "period", "start", "end", "timestamps": [...], "tasks": [names],
     "series": {task: {metric: {stat: [values by timestamp]}}}}
    """
    if window not in WINDOWS:
        raise ValueError(f"window is one of {', '.join(WINDOWS)}")
    length, period = WINDOWS[window]
    end = _floor(datetime.now(UTC), period) + timedelta(seconds=period)
    start = end - length
    cloudwatch = target.client("cloudwatch")
    try:
        tasks = _task_metrics(cloudwatch, target.view().metrics_namespaces())
        queries: list[dict[str, Any]] = []
        index: dict[str, tuple[str, str, str]] = {}
        for (namespace, task, metric), dimensions in sorted(tasks.items()):
            for stat in STATS if metric not in OUTCOMES else ("Sum",):
                query_id = f"q{len(queries)}"
                index[query_id] = (task, metric, stat)
                queries.append(
                    {
                        "Id": query_id,
                        "MetricStat": {
                            "Metric": {
                                "Namespace": namespace,
                                "MetricName": metric,
                                "Dimensions": dimensions,
                            },
                            "Period": period,
                            "Stat": stat,
                        },
                        "ReturnData": True,
                    }
                )
        results = _metric_data(cloudwatch, queries, start, end)
    except Exception as exc:
        raise explain(exc) from exc
    timestamps = [
        start + timedelta(seconds=period * i) for i in range(int(length.total_seconds() // period))
    ]
    series: dict[str, dict[str, dict[str, list[float | None]]]] = {}
    for query_id, points in results.items():
        task, metric, stat = index[query_id]
        values: list[float | None] = [None] * len(timestamps)
        for when, value in points:
            slot = int((when - start).total_seconds() // period)
            if 0 <= slot < len(values):
                values[slot] = (
                    (values[slot] or 0) + value
                    if stat != "Maximum"
                    else max(values[slot] or value, value)
                )
        series.setdefault(task, {}).setdefault(metric, {})[stat] = values
    return {
        "window": window,
        "period": period,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "timestamps": [t.isoformat() for t in timestamps],
        "tasks": sorted(series),
        "charts": [{"title": c.title, "metrics": list(c.metrics), "unit": c.unit} for c in CHARTS],
        "labels": OUTCOMES,
        "series": series,
    }


def _task_metrics(
    cloudwatch: Any, namespaces: list[str]
) -> dict[tuple[str, str, str], list[dict[str, str]]]:
    """(namespace, task name, metric) -> the dimensions to query it by, for every task that has
    any."""
    wanted = {m for chart in CHARTS for m in chart.metrics}
    found: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for namespace in namespaces:
        for page in cloudwatch.get_paginator("list_metrics").paginate(
            Namespace=namespace, Dimensions=[{"Name": "task"}]
        ):
            for metric in page.get("Metrics", []):
                if metric["MetricName"] not in wanted:
                    continue
                dimensions = metric.get("Dimensions", [])
                names = {d["Name"]: d["Value"] for d in dimensions}
                if set(names) != {"service", "task"}:
                    continue
                found[(namespace, names["task"], metric["MetricName"])] = dimensions
    return found


def _metric_data(
    cloudwatch: Any, queries: list[dict[str, Any]], start: datetime, end: datetime
) -> dict[str, list[tuple[datetime, float]]]:
    results: dict[str, list[tuple[datetime, float]]] = {}
    for first in range(0, len(queries), 500):  # GetMetricData takes 500 queries a call
        request: dict[str, Any] = {
            "MetricDataQueries": queries[first : first + 500],
            "StartTime": start,
            "EndTime": end,
        }
        while True:
            response = cloudwatch.get_metric_data(**request)
            for result in response.get("MetricDataResults", []):
                points = zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
                results.setdefault(result["Id"], []).extend(
                    (when.astimezone(UTC), float(value)) for when, value in points
                )
            token = response.get("NextToken")
            if not token:
                break
            request["NextToken"] = token
    return results


def _floor(moment: datetime, seconds: int) -> datetime:
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, UTC)
