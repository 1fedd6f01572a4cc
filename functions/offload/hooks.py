"""Concerns that go around every run, each one small class (Dramatiq's middleware): what they
need is given to them once, not threaded through the pipeline.

- `before(task)`: the run is about to start (log context);
- `wrap(task, run)`: around the task's effect (its row's lock and result, tracing);
- `after(task, outcome)`: the outcome has been acted on (the task's row, metrics, log context).
  `task` is None for a message that never became a task (not JSON, no reader).

A hook that wraps sees the effect only; `before` and `after` see the whole delivery.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from offload.exceptions import HeldElsewhereError, StartRefusedError
from offload.outcome import AlreadyDone, Cancelled, Outcome, Recorded, Redelivery

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer

    from offload.context import TaskContext
    from offload.rows import TaskRows

logger = logging.getLogger(__name__)

#: A task's effect: runs it, and says what it came to (Succeeded, or why it did not run).
Effect = Callable[[], Outcome]


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


class RowHook(Hook):
    """The task's row is its lock and its result (as arq's job key is): the run starts by
    taking it (offload.lifecycle START: refused while another run holds it, once the task
    succeeded, for a cancelled task), a run that returns completes it, and any other outcome is
    written once the consumer has acted on it, which releases the lock. An effect therefore
    runs at most once per task id, but for the crash window: a run that dies after its effect
    and before the completing write runs again once its lock ends."""

    def __init__(self, rows: TaskRows) -> None:
        self._rows = rows

    def wrap(self, task: TaskContext, run: Effect) -> Effect:
        def once() -> Outcome:
            try:
                self._rows.start(task)
            except StartRefusedError as refused:
                if refused.status == "succeeded":
                    return AlreadyDone()
                if refused.status == "cancelled":
                    return Cancelled()
                raise HeldElsewhereError(f"the task is {refused.status} in another run") from None
            outcome = run()
            self._rows.succeed(task, task.elapsed_ms())
            return outcome

        return once

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        if task is not None and isinstance(outcome, Recorded) and outcome.transition is not None:
            self._rows.record(task, outcome.transition, outcome.reason)


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

        name = outcome.metric
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
            if not isinstance(outcome, Redelivery):
                document.add_metric(name="TaskAttempts", unit=MetricUnit.Count, value=task.attempt)
        document.flush_metrics()


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
        def traced() -> Outcome:
            with self._tracer.provider.in_subsegment(f"## task {task.name}") as subsegment:
                subsegment.put_annotation("task_id", task.id)
                subsegment.put_annotation("task", task.name)
                # A string: the annotation's stub types numbers as numbers.Number.
                subsegment.put_annotation("attempt", str(task.attempt))
                if task.correlation_id is not None:
                    subsegment.put_annotation("correlation_id", task.correlation_id)
                return run()

        return traced
