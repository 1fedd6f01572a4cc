"""CloudWatch's extraction of metrics from embedded metric format lines, as the local cloud does
it for the functions' output."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from offload_local.metrics.emf import MetricExtractor, metric_data, parse_line

# What Powertools Metrics prints for one delivery (offload/hooks.py MetricsHook)
DOCUMENT = {
    "_aws": {
        "Timestamp": 1796140000000,
        "CloudWatchMetrics": [
            {
                "Namespace": "Offload",
                "Dimensions": [["task", "service"], ["service"]],
                "Metrics": [
                    {"Name": "TasksSucceeded", "Unit": "Count"},
                    {"Name": "TaskDuration", "Unit": "Milliseconds"},
                ],
            }
        ],
    },
    "task": "send_email",
    "service": "worker",
    "TasksSucceeded": [1.0],
    "TaskDuration": [12.5, 7.5],
}


def test_every_value_under_every_dimension_set() -> None:
    data = list(metric_data(DOCUMENT))

    when = datetime.fromtimestamp(1796140000, UTC)
    by_task = [{"Name": "service", "Value": "worker"}, {"Name": "task", "Value": "send_email"}]
    by_service = [{"Name": "service", "Value": "worker"}]
    assert {namespace for namespace, _ in data} == {"Offload"}
    assert [
        (d["MetricName"], d["Dimensions"], d["Value"], d["Unit"], d["Timestamp"]) for _, d in data
    ] == [
        ("TasksSucceeded", by_task, 1.0, "Count", when),
        ("TaskDuration", by_task, 12.5, "Milliseconds", when),
        ("TaskDuration", by_task, 7.5, "Milliseconds", when),
        ("TasksSucceeded", by_service, 1.0, "Count", when),
        ("TaskDuration", by_service, 12.5, "Milliseconds", when),
        ("TaskDuration", by_service, 7.5, "Milliseconds", when),
    ]


def test_a_dimension_set_whose_value_is_missing_is_skipped() -> None:
    document = {k: v for k, v in DOCUMENT.items() if k != "task"}

    assert {
        tuple(d["Name"] for d in datum["Dimensions"]) for _, datum in metric_data(document)
    } == {("service",)}


def test_only_emf_lines_are_documents() -> None:
    assert parse_line(json.dumps(DOCUMENT) + "\n") == DOCUMENT
    assert parse_line('{"level":"INFO","message":"task started"}') is None
    assert parse_line("REPORT RequestId: 1\tDuration: 2 ms") is None
    assert parse_line('{"_aws": not json') is None
    assert list(metric_data({"message": "no _aws"})) == []


class FakeCloudWatch:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[dict[str, Any]] = []
        self.fail = fail

    def client(self, service: str) -> FakeCloudWatch:
        return self

    def put_metric_data(self, **request: Any) -> None:
        if self.fail:
            raise ConnectionError("endpoint stopped")
        self.calls.append(request)


def test_the_extractor_puts_each_documents_metrics_and_reports_failures() -> None:
    cloudwatch = FakeCloudWatch()
    reports: list[str] = []
    extractor = MetricExtractor(cloudwatch, reports.append)

    extractor.line('{"level":"INFO"}')
    extractor.line(json.dumps(DOCUMENT))

    [call] = cloudwatch.calls
    assert call["Namespace"] == "Offload"
    assert len(call["MetricData"]) == 6
    assert extractor.published == 6
    MetricExtractor(FakeCloudWatch(fail=True), reports.append).line(json.dumps(DOCUMENT))
    assert reports == ["metrics not published (Offload): endpoint stopped"]
