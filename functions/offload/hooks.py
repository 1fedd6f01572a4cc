"""Concerns that go around every run, each one small class (Dramatiq's middleware): what they
need is given to them once, not threaded through the pipeline.

- `before(task)`: the run is about to start (log context);
- `wrap(task, run)`: around the task's effect (idempotency);
- `after(task, outcome)`: the outcome has been acted on (the task's row, metrics, log context).
  `task` is None for a message that never became a task (not JSON, no route).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from offload.outcome import DeadLetter, Rejected, Retry, Succeeded

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

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
    """One count per outcome and the run's duration (Powertools Metrics, EMF); the handler's
    @log_metrics flushes them. No per-task dimension: a batch of mixed tasks is one document."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        from aws_lambda_powertools.metrics import MetricUnit

        name = _metric(outcome)
        if name is None:
            return
        self._metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
        if isinstance(outcome, Succeeded) and task is not None:
            self._metrics.add_metric(
                name="TaskDuration", unit=MetricUnit.Milliseconds, value=task.elapsed_ms()
            )


def _metric(outcome: Outcome) -> str | None:
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
