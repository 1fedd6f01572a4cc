"""Running one task envelope: find the task by name, validate the arguments again, call it."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from offload.context import TaskContext, running
from offload.envelope import Envelope
from offload.exceptions import InvalidTaskArgumentsError, TaskArgumentsError
from offload.registry import TaskRegistry

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger

    from offload.routing import Message

logger = logging.getLogger(__name__)


class TaskRoute:
    """Messages that are task envelopes (a JSON object with a version field `v`)."""

    name = "task"

    def __init__(self, registry: TaskRegistry, log: Logger | None = None) -> None:
        self._registry = registry
        self._log = log

    def matches(self, message: Message) -> bool:
        return isinstance(message.body, dict) and "v" in message.body

    def handle(self, message: Message) -> None:
        envelope = Envelope.from_body(message.record.body)
        spec = self._registry.get(envelope.task)
        try:
            args, kwargs = spec.decode(envelope.args, envelope.kwargs)
        except TaskArgumentsError as exc:
            raise InvalidTaskArgumentsError(str(exc)) from None
        context = TaskContext(
            id=envelope.id,
            name=envelope.task,
            attempt=message.receive_count,
            enqueued_at=envelope.enqueued_at,
            correlation_id=envelope.correlation_id,
        )
        self._tag_logs(context)
        try:
            with running(context):
                logger.info("task started (attempt %d)", context.attempt)
                if spec.is_async:
                    asyncio.run(spec.func(*args, **kwargs))
                else:
                    spec.func(*args, **kwargs)
            logger.info("task succeeded")
        finally:
            self._untag_logs()

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
