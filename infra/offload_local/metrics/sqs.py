"""The metrics SQS publishes to CloudWatch (AWS/SQS, by QueueName), which moto does not.

AWS publishes each queue's depths and the age of its oldest message every minute; the console
and the dashboard read ApproximateAgeOfOldestMessage from there (SQS's API has no such
attribute). Locally moto's server process reads its own queues (`QueueMetricsRoute` answers
`GET /_local/sqs/metrics?account=...&region=...` there; no AWS API has that path), and the
local cloud's publisher puts the same metrics into its CloudWatch, a little more often than AWS.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from offload_local.aws.endpoint import Clients

#: Where moto's server (as offload_local.aws.serve runs it) answers each queue's metrics.
METRICS_PATH = "/_local/sqs/metrics"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: Seconds between two publications (AWS: 60; shorter here, so a console sees changes soon).
DEFAULT_INTERVAL = 10.0


def queue_metrics(account_id: str, region: str) -> dict[str, dict[str, float]]:
    """Each queue's metrics as AWS/SQS names them, read from moto's SQS in this process."""
    from moto.sqs.models import sqs_backends

    now_ms = time.time() * 1000
    found: dict[str, dict[str, float]] = {}
    for name, queue in list(sqs_backends[account_id][region].queues.items()):
        # moto keeps a queue's undeleted messages in `_messages`, sent_timestamp in ms.
        messages: list[Any] = list(getattr(queue, "_messages", []))
        sent = [m.sent_timestamp for m in messages if m.sent_timestamp]
        found[name] = {
            "ApproximateNumberOfMessagesVisible": float(queue.approximate_number_of_messages),
            "ApproximateNumberOfMessagesNotVisible": float(
                queue.approximate_number_of_messages_not_visible
            ),
            "ApproximateNumberOfMessagesDelayed": float(
                queue.approximate_number_of_messages_delayed
            ),
            "ApproximateAgeOfOldestMessage": max(0.0, (now_ms - min(sent)) / 1000) if sent else 0,
        }
    return found


class QueueMetricsRoute:
    """Wraps moto's server application: answers METRICS_PATH, passes every other request on."""

    def __init__(self, app: WsgiApp) -> None:
        self._app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")) != ("GET", METRICS_PATH):
            return self._app(environ, start_response)
        query = {k: v[-1] for k, v in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
        value: Any = {"message": "account and region are required"}
        status = "400 Bad Request"
        if "account" in query and "region" in query:
            status, value = "200 OK", queue_metrics(query["account"], query["region"])
        body = json.dumps(value).encode()
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]


def read_queue_metrics(aws_url: str, account_id: str, region: str) -> dict[str, dict[str, float]]:
    """Each queue's metrics, as moto's server at `aws_url` reads them (QueueMetricsRoute)."""
    url = f"{aws_url}{METRICS_PATH}?account={account_id}&region={region}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - the local endpoint
        metrics: dict[str, dict[str, float]] = json.loads(response.read())
    return metrics


class QueueMetricsPublisher:
    """Puts every queue's AWS/SQS metrics to CloudWatch every `interval` seconds."""

    def __init__(
        self,
        aws: Clients,
        read: Callable[[], dict[str, dict[str, float]]],
        interval: float = DEFAULT_INTERVAL,
    ) -> None:
        self._aws = aws
        self._read = read
        self._interval = interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def publish(self) -> None:
        now = datetime.now(UTC)
        data = [
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "QueueName", "Value": queue}],
                "Timestamp": now,
                "Value": value,
                "Unit": "Seconds" if metric == "ApproximateAgeOfOldestMessage" else "Count",
            }
            for queue, metrics in self._read().items()
            for metric, value in metrics.items()
        ]
        for start in range(0, len(data), 1000):
            self._aws.client("cloudwatch").put_metric_data(
                Namespace="AWS/SQS", MetricData=data[start : start + 1000]
            )

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sqs-metrics", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _run(self) -> None:
        while True:
            # A failed round (the endpoint stopping, say) is made up by the next one.
            with contextlib.suppress(Exception):
                self.publish()
            if self._stopping.wait(self._interval):
                return
