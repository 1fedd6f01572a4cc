"""Concerns that go around every run, each one small class (Dramatiq's middleware): what they
need is given to them once, not threaded through the pipeline.

- `before(task)`: the run is about to start (log context);
- `wrap(task, run)`: around the task's effect (idempotency);
- `after(task, outcome)`: the outcome has been acted on (the task's row, metrics, log context).
  `task` is None for a message that never became a task (not JSON, no route).

A hook that wraps (tracing, idempotency) sees the effect only; `before` and `after` see the whole
delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from offload.outcome import DeadLetter, Rejected, Retry, Succeeded

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer

    from offload.context import TaskContext
    from offload.idempotency import Idempotency, Run
    from offload.outcome import Outcome
    from offload.records import TaskRecords

logger = logging.getLogger(__name__)

Effect = Callable[[], "Run"]


class Hook:
    """Does nothing; a hook overrides what it needs."""

    def before(self, task: TaskContext) -> None:
        return None

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        return run

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        return None


class Hooks:
    """Hooks in order: `before` and `wrap` from the first (outermost), `after` from the last."""

    def __init__(self, hooks: Sequence[Hook]) -> None:
        self._hooks = list(hooks)

    def before(self, task: TaskContext) -> None:
        for hook in self._hooks:
            hook.before(task)

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        for hook in reversed(self._hooks):
            run = hook.wrap(task, run)
        return run

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        for hook in reversed(self._hooks):
            try:
                hook.after(task, outcome)
            except Exception:
                # What was acted on stands (the message is retried, dead-lettered or done);
                # a hook failing must not change that, nor stop the others.
                logger.exception("%s failed after the outcome", type(hook).__name__)


class IdempotencyHook(Hook):
    """The effect runs at most once per task id (offload.idempotency)."""

    def __init__(self, idempotency: Idempotency) -> None:
        self._idempotency = idempotency

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        def once() -> Run:
            return self._idempotency.run(task.id, run)

        return once


class RecordHook(Hook):
    """Writes outcomes the idempotency layer does not (it writes `running` and `succeeded`)."""

    def __init__(self, records: TaskRecords) -> None:
        self._records = records

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        if task is None:
            return
        if isinstance(outcome, Retry) and outcome.record:
            self._records.finish(task, "retrying", outcome.reason)
        elif isinstance(outcome, Rejected):
            self._records.finish(task, "failed", outcome.reason)
        elif isinstance(outcome, DeadLetter):
            self._records.finish(task, outcome.state, outcome.reason)


class MetricsHook(Hook):
    """What each delivery came to, by task name (Powertools Metrics, EMF): one count per
    outcome, how long the task waited from enqueue to this run's start, how long it ran, and,
    once it is done, the attempts it took.

    Each delivery is a document of its own, printed at once: the task's name is a dimension,
    and one document has one value per dimension. Every metric is published twice, by
    (service, task) and by service alone, so a dashboard can show one task or all of them.
    """

    #: The dimension that names the task; `unknown` for a message that never became a task.
    DIMENSION = "task"

    def __init__(
        self, metrics: Metrics, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self._metrics = metrics
        self._clock = clock

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

        name = _metric(outcome)
        if name is None:
            return
        document = EphemeralMetrics(
            namespace=self._metrics.namespace, service=self._metrics.service
        )
        document.add_dimension(self.DIMENSION, task.name if task is not None else "unknown")
        document.add_dimensions(service=self._metrics.service or "service_undefined")
        document.add_metric(name=name, unit=MetricUnit.Count, value=1)
        # Every outcome counted ran the task's code in this delivery: its times mean something.
        if task is not None:
            elapsed = task.elapsed_ms()
            started = self._clock().timestamp() * 1000 - elapsed
            waited = max(0.0, started - task.enqueued_at.timestamp() * 1000)
            document.add_metric(name="TaskWaitTime", unit=MetricUnit.Milliseconds, value=waited)
            document.add_metric(name="TaskDuration", unit=MetricUnit.Milliseconds, value=elapsed)
            if not isinstance(outcome, Retry):
                document.add_metric(name="TaskAttempts", unit=MetricUnit.Count, value=task.attempt)
        document.flush_metrics()


def _metric(outcome: Outcome) -> str | None:
    """What the outcome counts as; None when the task's code did not run in this delivery (done
    before, cancelled, held by another run, handed back unstarted): nothing is counted."""
    if isinstance(outcome, Succeeded):
        return "TasksSucceeded" if outcome.ran else None
    if isinstance(outcome, Retry):
        return "TasksRetried" if outcome.record else None
    if isinstance(outcome, Rejected):
        return "TasksRejected"
    return "TasksDeadLettered" if outcome.state == "dead_lettered" else "TasksFailed"


class LogContextHook(Hook):
    """Every log line of a run names its task, attempt and the request it came from."""

    def __init__(self, log: Logger) -> None:
        self._log = log

    def before(self, task: TaskContext) -> None:
        self._log.set_correlation_id(task.correlation_id)
        self._log.append_keys(task_id=task.id, task=task.name, attempt=task.attempt)

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        if task is None:
            return
        self._log.remove_keys(["task_id", "task", "attempt"])
        self._log.set_correlation_id(None)


class TracingHook(Hook):
    """Each task's run is an X-Ray subsegment of the worker's invocation, annotated with the
    task's id and name (searchable: `annotation.task_id = "..."`), its attempt and the request
    it came from. X-Ray links the invocation to the request's trace through the message's
    AWSTraceHeader (offload.queue)."""

    def __init__(self, tracer: Tracer) -> None:
        self._tracer = tracer

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        def traced() -> Run:
            with self._tracer.provider.in_subsegment(f"## task {task.name}") as subsegment:
                subsegment.put_annotation("task_id", task.id)
                subsegment.put_annotation("task", task.name)
                # A string: the annotation's stub types numbers as numbers.Number.
                subsegment.put_annotation("attempt", str(task.attempt))
                if task.correlation_id is not None:
                    subsegment.put_annotation("correlation_id", task.correlation_id)
                return run()

        return traced
