"""CloudWatch's embedded metric format (EMF), read from the functions' log lines.

On AWS, CloudWatch Logs turns each EMF document a function prints (Powertools Metrics does)
into metrics. Locally the function processes' output goes to the console, and this does the
same extraction into moto's CloudWatch (PutMetricData), so `GetMetricData` answers locally as
it does on AWS and the console reads both the same way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from offload_local.aws.endpoint import Clients

#: PutMetricData takes at most this many data a call.
MAX_DATA = 1000


def metric_data(document: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(namespace, PutMetricData datum) for every value of every metric, under each of the
    document's dimension sets, as CloudWatch extracts them. Nothing for a non-EMF document."""
    directives = document.get("_aws")
    if not isinstance(directives, Mapping):
        return
    timestamp = datetime.fromtimestamp(int(directives.get("Timestamp", 0)) / 1000, UTC)
    for directive in directives.get("CloudWatchMetrics") or []:
        namespace = str(directive.get("Namespace", ""))
        for keys in directive.get("Dimensions") or [[]]:
            if any(key not in document for key in keys):
                continue  # CloudWatch skips a dimension set whose value is missing
            # One order for a set: moto matches dimensions as an ordered list, AWS as a set.
            dimensions = [{"Name": key, "Value": str(document[key])} for key in sorted(keys)]
            for metric in directive.get("Metrics") or []:
                name = metric.get("Name")
                values = document.get(name)
                for value in values if isinstance(values, list) else [values]:
                    if not isinstance(value, int | float) or isinstance(value, bool):
                        continue
                    datum: dict[str, Any] = {
                        "MetricName": name,
                        "Dimensions": dimensions,
                        "Timestamp": timestamp,
                        "Value": float(value),
                        "Unit": metric.get("Unit") or "None",
                    }
                    if metric.get("StorageResolution") == 1:
                        datum["StorageResolution"] = 1
                    yield namespace, datum


def parse_line(line: str) -> dict[str, Any] | None:
    """The JSON document a log line holds, if it is an EMF document."""
    text = line.strip()
    if not text.startswith("{") or '"_aws"' not in text:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


class MetricExtractor:
    """Reads every line a function prints; puts the metrics of EMF documents to CloudWatch.

    Called from the threads that forward the function processes' output, one line at a time.
    """

    def __init__(self, aws: Clients, report: Callable[[str], None] | None = None) -> None:
        self._aws = aws
        self._report = report
        self._lock = threading.Lock()
        self.published = 0

    def line(self, text: str) -> None:
        document = parse_line(text)
        if document is None:
            return
        by_namespace: dict[str, list[dict[str, Any]]] = {}
        for namespace, datum in metric_data(document):
            by_namespace.setdefault(namespace, []).append(datum)
        for namespace, data in by_namespace.items():
            try:
                for start in range(0, len(data), MAX_DATA):
                    self._aws.client("cloudwatch").put_metric_data(
                        Namespace=namespace, MetricData=data[start : start + MAX_DATA]
                    )
            except Exception as exc:
                # A metric lost is not worth stopping a function's output for.
                if self._report is not None:
                    self._report(f"metrics not published ({namespace}): {exc}")
                continue
            with self._lock:
                self.published += len(data)
