"""Running one task envelope: find the task by name, validate its arguments again, run it
through the hooks, and come back with its outcome. Never raises for the task's sake: whatever
happens is an Outcome (offload.outcome), for the consumer to act on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from offload.context import TaskContext, running
from offload.exceptions import (
    InvalidTaskArgumentsError,
    PermanentTaskError,
    TaskArgumentsError,
)
from offload.hooks import Hooks
from offload.outcome import DeadLettering, Outcome, Rejected, Succeeded, decide
from offload.retry import Backoff

if TYPE_CHECKING:
    from datetime import datetime

    from offload.envelope import Envelope
    from offload.payloads import PayloadStore
    from offload.registry import TaskRegistry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunPolicy:
    """How the worker treats failures when a task says nothing of its own."""

    #: Follows the queue's maxReceiveCount: on the last delivery the worker dead-letters the
    #: task itself, with the reason, rather than leaving SQS to move it without one.
    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)


class TaskPipeline:
    def __init__(
        self,
        registry: TaskRegistry,
        hooks: Hooks,
        policy: RunPolicy | None = None,
        payloads: PayloadStore | None = None,
    ) -> None:
        self._registry = registry
        self._hooks = hooks
        self._policy = policy or RunPolicy()
        self._payloads = payloads

    @property
    def hooks(self) -> Hooks:
        return self._hooks

    @property
    def policy(self) -> RunPolicy:
        return self._policy

    def run(
        self, envelope: Envelope, attempt: int, deadline: datetime | None
    ) -> tuple[TaskContext, Outcome]:
        task = TaskContext.of(envelope, attempt, deadline)
        self._hooks.before(task)
        with running(task):
            return task, self._outcome(envelope, task)

    def _outcome(self, envelope: Envelope, task: TaskContext) -> Outcome:
        max_attempts, backoff = self._policy.max_attempts, self._policy.backoff
        try:
            if envelope.payload is not None:
                if self._payloads is None:
                    raise PermanentTaskError("the arguments are in S3 but no store is configured")
                envelope = self._payloads.load(envelope)
            spec = self._registry.get(envelope.task)
            max_attempts = spec.max_attempts or max_attempts
            backoff = spec.backoff or backoff
            try:
                args, kwargs = spec.decode(envelope.args, envelope.kwargs)
            except TaskArgumentsError as exc:
                raise InvalidTaskArgumentsError(str(exc)) from None

            def effect() -> Outcome:
                logger.info("task started (attempt %d)", task.attempt)
                spec.call(args, kwargs)
                return Succeeded()

            outcome = self._hooks.wrap(task, effect)()
        except Exception as exc:
            outcome = decide(exc, task.attempt, max_attempts, backoff)
            # The exception in full goes to the log (and, dead-lettered, to the DLQ) only.
            logger.log(
                logging.ERROR if isinstance(outcome, DeadLettering) else logging.WARNING,
                "task outcome: %s (%s)",
                type(outcome).__name__,
                exc,
                exc_info=not isinstance(outcome, Rejected),
            )
            return outcome
        if isinstance(outcome, Succeeded):
            logger.info("task succeeded in %.0f ms", task.elapsed_ms())
        else:
            logger.info("task not run: %s", type(outcome).__name__)
        return outcome
