"""Counts of task outcomes and task durations, as CloudWatch metrics (Powertools Metrics, EMF)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aws_lambda_powertools import Metrics

    from offload.status import Outcome

# One metric per outcome; no per-task dimension, so a batch of mixed tasks is one EMF document.
_NAMES: dict[str, str] = {
    "succeeded": "TasksSucceeded",
    "retrying": "TasksRetried",
    "failed": "TasksFailed",
    "rejected": "TasksRejected",
    "dead_lettered": "TasksDeadLettered",
}


class TaskMetrics(Protocol):
    def record(self, status: Outcome, duration_ms: float | None = None) -> None: ...


class PowertoolsTaskMetrics:
    """Adds to a Powertools Metrics instance; the handler's @log_metrics flushes them."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def record(self, status: Outcome, duration_ms: float | None = None) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        name = _NAMES.get(status)
        if name is None:
            return
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        if duration_ms is not None:
            self._metrics.add_metric(
                name="TaskDuration", unit=MetricUnit.Milliseconds, value=duration_ms
            )
