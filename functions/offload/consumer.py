"""The worker side: each record of an SQS batch becomes a task, runs through the pipeline, and
its outcome is acted on here, in one place: a dead letter sent, a redelivery delayed, a failure
reported. Only then do the hooks record it. The batch response always follows Lambda's rules:
only this batch's ids, never a raise for a record.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)

from offload.exceptions import NewerEnvelopeError, OffloadError, PermanentTaskError
from offload.outcome import DeadLettering, Deferred, Failed, Outcome, Redelivery, Retry, decide
from offload.readers import EnvelopeReader, Message, MessageReader, S3TestEventReader

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from offload.context import TaskContext
    from offload.dead_letters import DeadLetterQueue
    from offload.envelope import Envelope
    from offload.pipeline import TaskPipeline
    from offload.visibility import Visibility

logger = logging.getLogger(__name__)


class RedeliverError(OffloadError):
    """Raise to have Powertools report a record as failed: SQS delivers it again."""


class TaskConsumer:
    """An SQS batch handler built on Powertools' BatchProcessor."""

    def __init__(
        self,
        pipeline: TaskPipeline,
        dead_letters: DeadLetterQueue,
        visibility: Visibility,
        readers: Sequence[MessageReader] = (),
        time_guard_ms: int = 5_000,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._pipeline = pipeline
        self._clock = clock
        self._dead_letters = dead_letters
        self._visibility = visibility
        self._time_guard_ms = time_guard_ms
        # Order matters: the first reader that matches reads the message.
        self._readers: list[MessageReader] = [S3TestEventReader(), *readers, EnvelopeReader()]
        # An all-failed batch is reported item by item like any other, not raised: a raise
        # would also retry the whole batch, but would hide which records failed and why.
        self._processor = BatchProcessor(EventType.SQS, raise_on_entire_batch_failure=False)

    def handle(self, event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
        return process_partial_response(
            event=event, record_handler=self.process, processor=self._processor, context=context
        )

    def process(self, record: SQSRecord, lambda_context: LambdaContext | None = None) -> None:
        """Handle one record: return to have it deleted, raise to have it delivered again."""
        deadline = None
        if lambda_context is not None:
            remaining = lambda_context.get_remaining_time_in_millis()
            if remaining < self._time_guard_ms:
                # Starting now could be cut off mid-task by the timeout, which fails the whole
                # batch; handing the record back at once costs nothing.
                self._act(record, None, Deferred(0, "not started: the invocation is ending"))
            deadline = self._clock() + timedelta(milliseconds=remaining)
        task: TaskContext | None = None
        try:
            message = Message.parse(record)
            envelope = self._envelope(message)
        except PermanentTaskError as exc:
            outcome: Outcome = Failed(exc.reason, f"{type(exc).__name__}: {exc}")
        except NewerEnvelopeError as exc:
            # The worker that reads it is minutes away: retried with backoff until then.
            policy = self._pipeline.policy
            outcome = decide(exc, message.receive_count, policy.max_attempts, policy.backoff)
        else:
            if envelope is None:
                return
            task, outcome = self._pipeline.run(envelope, message.receive_count, deadline)
        self._act(record, task, outcome)

    def _envelope(self, message: Message) -> Envelope | None:
        for reader in self._readers:
            if reader.matches(message):
                return reader.envelope(message)
        raise PermanentTaskError("not a message this worker handles (no reader matched)")

    def _act(self, record: SQSRecord, task: TaskContext | None, outcome: Outcome) -> None:
        if isinstance(outcome, DeadLettering):
            try:
                self._dead_letters.send(record, outcome.detail, outcome.reason.code)
            except Exception:
                # Retried instead: SQS's own redrive still keeps the message, never lost.
                logger.exception("could not dead-letter the message; it will be retried")
                outcome = Retry(None, f"not dead-lettered: {outcome.detail}")
        if isinstance(outcome, Redelivery):
            # The status first, while the message is still hidden: once its delay is set, the
            # next delivery may start, and a write of this run landing after that start would
            # overwrite what the next run records (a task left `retrying` when it has ended).
            self._pipeline.hooks.after(task, outcome)
            if outcome.delay_seconds is not None:
                # Not fatal if it fails: the queue's own visibility timeout brings it back.
                self._visibility.delay(record, outcome.delay_seconds)
            raise RedeliverError(outcome.detail)
        self._pipeline.hooks.after(task, outcome)
