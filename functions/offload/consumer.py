"""The worker side: each record of an SQS batch ends succeeded, retryable or dead-lettered, and
the batch response always follows Lambda's rules (only this batch's ids, never a raise)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

from offload.exceptions import OffloadError, PermanentTaskError, TaskRejectedError
from offload.registry import TaskRegistry, registry
from offload.routing import Message, Route, S3TestEventRoute
from offload.runner import RunPolicy, TaskRoute

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from offload.dead_letter import DeadLetters
    from offload.idempotency import Idempotency
    from offload.metrics import TaskMetrics
    from offload.payloads import PayloadStore
    from offload.retry import Visibility
    from offload.status import StatusStore

logger = logging.getLogger(__name__)


class OutOfTimeError(OffloadError):
    """Raise for records not started because the invocation is about to time out."""


class TaskConsumer:
    """An SQS batch handler built on Powertools' BatchProcessor."""

    def __init__(
        self,
        dead_letters: DeadLetters,
        *,
        task_registry: TaskRegistry = registry,
        routes: Sequence[Route] = (),
        log: Logger | None = None,
        status: StatusStore | None = None,
        idempotency: Idempotency | None = None,
        visibility: Visibility | None = None,
        policy: RunPolicy | None = None,
        payloads: PayloadStore | None = None,
        metrics: TaskMetrics | None = None,
        time_guard_ms: int = 5_000,
    ) -> None:
        self._dead_letters = dead_letters
        self._idempotency = idempotency
        self._visibility = visibility
        self._time_guard_ms = time_guard_ms
        tasks = TaskRoute(
            task_registry,
            log=log,
            status=status,
            idempotency=idempotency,
            visibility=visibility,
            policy=policy,
            payloads=payloads,
            metrics=metrics,
        )
        # Order matters: the first route that matches handles the message.
        self._routes: list[Route] = [S3TestEventRoute(), *routes, tasks]
        # An all-failed batch is reported item by item like any other, not raised: a raise
        # would also retry the whole batch, but would hide which records failed and why.
        self._processor = BatchProcessor(EventType.SQS, raise_on_entire_batch_failure=False)

    def handle(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        if self._idempotency is not None:
            self._idempotency.register_context(context)
        return process_partial_response(
            event=event, record_handler=self.process, processor=self._processor, context=context
        )

    def process(self, record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
        """Handle one record: return on success or dead-lettering, raise to have it retried."""
        if lambda_context is not None and (
            lambda_context.get_remaining_time_in_millis() < self._time_guard_ms
        ):
            # Starting now could be cut off mid-task by the timeout, which fails the whole
            # batch; handing the record back at once costs nothing.
            if self._visibility is not None:
                self._visibility.delay(record, 0)
            raise OutOfTimeError("not started: the invocation is about to time out")
        try:
            message = Message.parse(record)
            route = self._route(message)
            route.handle(message)
        except TaskRejectedError as exc:
            # The user's own input: the task records why; acknowledged, never retried.
            logger.warning(
                "input rejected (%s), acknowledged: %s",
                exc.reason.code,
                exc,
                extra={"message_id": record.message_id},
            )
        except PermanentTaskError as exc:
            reason = f"{type(exc).__name__}: {exc}"
            logger.error(
                "permanent failure, sending to the dead-letter queue: %s",
                reason,
                extra={"message_id": record.message_id},
            )
            try:
                self._dead_letters.send(record, reason, exc.reason.code)
            except Exception:
                # Retried instead: SQS's own redrive still keeps the message, never lost.
                logger.exception("could not dead-letter the message; it will be retried")
                raise
        except Exception:
            logger.exception(
                "task failed, will be retried",
                extra={
                    "message_id": record.message_id,
                    "receive_count": record.attributes.approximate_receive_count,
                },
            )
            raise

    def _route(self, message: Message) -> Route:
        for route in self._routes:
            if route.matches(message):
                return route
        raise PermanentTaskError("not a message this worker handles (no route matched)")
