"""Running one task envelope: find the task by name, validate the arguments again, run it once
per id, and decide what a failure means (retry with backoff, give up, or permanent)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from offload.context import TaskContext, running
from offload.envelope import Envelope
from offload.exceptions import (
    InvalidTaskArgumentsError,
    PermanentTaskError,
    RetriesExhaustedError,
    TaskArgumentsError,
    TaskCancelledError,
    TaskRejectedError,
)
from offload.reasons import RETRIES_EXHAUSTED, TEMPORARY_ERROR
from offload.retry import Backoff

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

    from offload.idempotency import Idempotency
    from offload.metrics import TaskMetrics
    from offload.payloads import PayloadStore
    from offload.reasons import Reason
    from offload.registry import TaskRegistry, TaskSpec
    from offload.retry import Visibility
    from offload.routing import Message
    from offload.status import Outcome, State, StatusStore

logger = logging.getLogger(__name__)


@dataclass
class RunPolicy:
    """How the worker treats failures when a task says nothing of its own."""

    #: Follows the queue's maxReceiveCount: on the last delivery the worker dead-letters the
    #: task itself, with the reason, rather than leaving SQS to move it without one.
    max_attempts: int = 5
    backoff: Backoff = field(default_factory=Backoff)


class TaskRoute:
    """Messages that are task envelopes (a JSON object with a version field `v`)."""

    name = "task"

    def __init__(
        self,
        registry: TaskRegistry,
        *,
        log: Logger | None = None,
        status: StatusStore | None = None,
        idempotency: Idempotency | None = None,
        visibility: Visibility | None = None,
        policy: RunPolicy | None = None,
        payloads: PayloadStore | None = None,
        metrics: TaskMetrics | None = None,
    ) -> None:
        self._registry = registry
        self._metrics = metrics
        self._payloads = payloads
        self._log = log
        self._status = status
        self._idempotency = idempotency
        self._visibility = visibility
        self._policy = policy or RunPolicy()

    def matches(self, message: Message) -> bool:
        return isinstance(message.body, dict) and "v" in message.body

    def handle(self, message: Message) -> None:
        envelope = Envelope.from_body(message.record.body)
        context = TaskContext(
            id=envelope.id,
            name=envelope.task,
            attempt=message.receive_count,
            enqueued_at=envelope.enqueued_at,
            correlation_id=envelope.correlation_id,
            owner=envelope.owner,
        )
        self._tag_logs(context)
        try:
            self._handle(message, envelope, context)
        finally:
            self._untag_logs()

    def _handle(self, message: Message, envelope: Envelope, context: TaskContext) -> None:
        try:
            if envelope.payload is not None:
                if self._payloads is None:
                    raise PermanentTaskError("the arguments are in S3 but no store is configured")
                envelope = self._payloads.load(envelope)
            spec = self._registry.get(envelope.task)
            try:
                args, kwargs = spec.decode(envelope.args, envelope.kwargs)
            except TaskArgumentsError as exc:
                raise InvalidTaskArgumentsError(str(exc)) from None
        except PermanentTaskError as exc:
            self._record(context, "failed", exc.reason)
            raise

        def effect() -> None:
            with running(context):
                if spec.is_async:
                    import asyncio  # only workers with async tasks pay for it

                    asyncio.run(spec.func(*args, **kwargs))
                else:
                    spec.func(*args, **kwargs)

        try:
            self._record(context, "running", started=True)
        except TaskCancelledError:
            # Its request answered 503 after SQS had taken it: the client was told nothing
            # happened, so nothing does. Acknowledged, not retried.
            logger.info("task cancelled before it started: its request was refused")
            return
        logger.info("task started (attempt %d)", context.attempt)
        started = time.perf_counter()
        try:
            if self._idempotency is None:
                effect()
            else:
                self._idempotency.run(envelope.id, envelope.task, effect)
        except TaskRejectedError as exc:
            # The user's input: their task says why it failed; nothing for an operator.
            logger.warning("task rejected its input: %s (%s)", exc.reason.code, exc)
            self._record(context, "failed", exc.reason, outcome="rejected")
            return
        except PermanentTaskError as exc:
            self._record(context, "failed", exc.reason)
            raise
        except Exception as exc:
            self._failed(message, spec, context, exc)
            raise
        elapsed_ms = (time.perf_counter() - started) * 1000
        self._record(context, "succeeded", duration_ms=elapsed_ms)
        logger.info("task succeeded in %.0f ms", elapsed_ms)

    def _failed(
        self, message: Message, spec: TaskSpec, context: TaskContext, exc: Exception
    ) -> None:
        """A retryable error: back off, or give up when this was the last attempt."""
        if _in_progress_elsewhere(exc):
            # Another worker runs this id right now; its outcome will be recorded, not ours.
            logger.info("task is already running elsewhere; delivery will be retried")
            return
        reason = f"{type(exc).__name__}: {exc}"
        limit = spec.max_attempts or self._policy.max_attempts
        if context.attempt >= limit:
            self._record(context, "dead_lettered", RETRIES_EXHAUSTED)
            raise RetriesExhaustedError(
                f"gave up after {context.attempt} attempts: {reason}"
            ) from exc
        self._record(context, "retrying", TEMPORARY_ERROR)
        if self._visibility is not None:
            delay = (spec.backoff or self._policy.backoff).delay(context.attempt)
            logger.warning("task failed, retrying in %d s: %s", delay, reason)
            self._visibility.delay(message.record, delay)

    def _record(
        self,
        context: TaskContext,
        status: State,
        reason: Reason | None = None,
        started: bool = False,
        duration_ms: float | None = None,
        outcome: Outcome | None = None,
    ) -> None:
        if self._status is not None:
            self._status.update(
                context.id,
                context.name,
                status,
                reason=reason,
                started=started,
                enqueued_at=context.enqueued_at if started else None,
                owner=context.owner if started else None,
            )
        if self._metrics is not None:
            self._metrics.record(outcome or status, duration_ms)

    def _tag_logs(self, context: TaskContext) -> None:
        if self._log is None:
            return
        self._log.set_correlation_id(context.correlation_id)
        self._log.append_keys(task_id=context.id, task=context.name, attempt=context.attempt)

    def _untag_logs(self) -> None:
        if self._log is None:
            return
        self._log.remove_keys(["task_id", "task", "attempt"])
        self._log.set_correlation_id(None)


def _in_progress_elsewhere(exc: Exception) -> bool:
    return type(exc).__name__ == "IdempotencyAlreadyInProgressError"
