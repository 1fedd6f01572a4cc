"""Putting envelopes on SQS: as few SendMessageBatch calls as possible, failed entries retried.

One retry policy: each call is botocore's, bounded by the clients' timeouts and attempts
(offload.clients); the loop here sends again only the entries SQS answered as failed. A call
that raises is not sent again, nor the batches after it: answered with an error, SQS took none of
its entries; unanswered, whether it took them is unknown, and the caller treats them as possibly
taken (their rows are cancelled, never forgotten).

Each entry carries the X-Ray trace header of the request that queued it (the message system
attribute AWSTraceHeader), so X-Ray links the request to the worker's run of every task it
added. The SDK's own header (X-Amzn-Trace-Id on the HTTP call) would do the same only when the
X-Ray SDK records the call; the attribute is set per entry whatever records it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from offload.envelope import Envelope
from offload.exceptions import EnqueueError
from offload.timing import queue_delay_seconds

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.type_defs import SendMessageBatchRequestEntryTypeDef

    from offload.payloads import PayloadStore

logger = logging.getLogger(__name__)

#: SQS takes at most 10 entries per SendMessageBatch.
MAX_BATCH_ENTRIES = 10
#: The whole batch counts against the message size limit. 256 KiB is the limit every SQS
#: (and moto) accepts; queues raised to 1 MiB can pass a larger value.
DEFAULT_MAX_BATCH_BYTES = 256 * 1024
#: Bodies above this go to S3 with a pointer in the message (below the 256 KiB maximum, with
#: room for the attributes that count against the same limit).
DEFAULT_MAX_MESSAGE_BYTES = 200 * 1024


def lambda_trace_header() -> str | None:
    """The invocation's X-Ray trace header, as the Lambda runtime sets it for each invocation
    (`Root=...;Parent=...;Sampled=...`); None outside Lambda."""
    return os.environ.get("_X_AMZN_TRACE_ID") or None


class TaskQueue(Protocol):
    """Where the API puts tasks. Raises EnqueueError when any task could not be queued."""

    def send(self, envelopes: Sequence[Envelope]) -> None: ...


def batches(bodies: Sequence[str], max_bytes: int = DEFAULT_MAX_BATCH_BYTES) -> Iterator[list[int]]:
    """Indexes of `bodies` grouped into batches: 10 per batch unless the bytes say otherwise."""
    current: list[int] = []
    size = 0
    for index, body in enumerate(bodies):
        length = len(body.encode())
        if current and (len(current) == MAX_BATCH_ENTRIES or size + length > max_bytes):
            yield current
            current, size = [], 0
        current.append(index)
        size += length
    if current:
        yield current


class SqsTaskQueue:
    """A standard SQS queue. Duplicates are harmless: the envelope id is the task's key."""

    def __init__(
        self,
        queue_url: str,
        client: Callable[[], SQSClient],
        *,
        entry_attempts: int = 3,
        backoff_seconds: float = 0.05,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
        max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES,
        payloads: PayloadStore | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        trace_header: Callable[[], str | None] = lambda_trace_header,
    ) -> None:
        if entry_attempts < 1:
            # Zero would send nothing and report every task queued.
            raise ValueError(f"entry_attempts must be at least 1, not {entry_attempts}")
        self._queue_url = queue_url
        self._client = client
        self._attempts = entry_attempts
        self._backoff = backoff_seconds
        self._max_batch_bytes = max_batch_bytes
        self._max_message_bytes = max_message_bytes
        self._payloads = payloads
        self._sleep = sleep
        self._clock = clock
        self._trace_header = trace_header

    def send(self, envelopes: Sequence[Envelope]) -> None:
        if not self._queue_url:
            raise EnqueueError("no task queue is configured", [e.id for e in envelopes])
        envelopes = [self._fit(e) for e in envelopes]
        bodies = [e.to_body() for e in envelopes]
        now = self._clock()
        # A task added for later waits on the queue itself (up to SQS's 15 minutes).
        delays = [queue_delay_seconds(e.due_at, now) for e in envelopes]
        # Read once: the request's header (the retries below belong to the same request).
        trace = self._trace_header()
        refused: list[str] = []
        reasons: set[str] = set()
        groups = list(batches(bodies, self._max_batch_bytes))
        for number, indexes in enumerate(groups):
            sent = self._send_batch(
                {str(i): _entry(str(i), envelopes[i], bodies[i], delays[i], trace) for i in indexes}
            )
            refused += [envelopes[int(i)].id for i in sent.refused]
            reasons.update(sent.refused.values())
            if sent.error is not None:
                # After a call that raised, the batches after it are not sent: never went.
                refused += [envelopes[i].id for later in groups[number + 1 :] for i in later]
                reasons.add(sent.error)
                break
        if refused or reasons:
            summary = "; ".join(sorted(reasons))
            raise EnqueueError(
                f"{len(refused)} of {len(envelopes)} tasks not queued: {summary}", refused
            )

    def _fit(self, envelope: Envelope) -> Envelope:
        """The envelope as it can travel: inline when small enough, else as a pointer."""
        if len(envelope.to_body().encode()) <= self._max_message_bytes:
            return envelope
        if self._payloads is None:
            raise EnqueueError(
                f"task {envelope.task} is over {self._max_message_bytes} bytes and no payload "
                "store is configured",
                [envelope.id],
            )
        try:
            return self._payloads.store(envelope)
        except Exception as exc:
            raise EnqueueError(
                f"could not store the arguments of {envelope.task}: {exc}", [envelope.id]
            ) from exc

    def _send_batch(self, pending: dict[str, SendMessageBatchRequestEntryTypeDef]) -> Sent:
        """Send one batch, sending again the entries SQS answered as failed."""
        from botocore.exceptions import ClientError

        sent = Sent()
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff * 2 ** (attempt - 1))
            try:
                response = self._client().send_message_batch(
                    QueueUrl=self._queue_url, Entries=list(pending.values())
                )
            except Exception as exc:
                sent.error = f"SendMessageBatch failed: {type(exc).__name__}: {exc}"
                # Answered with an error, SQS took none of them; unanswered, the entries may
                # have been taken: not reported refused (the caller cancels their rows).
                if isinstance(exc, ClientError):
                    sent.refused |= dict.fromkeys(pending, sent.error)
                return sent
            failures: dict[str, str] = {}
            for failed in response.get("Failed", []):
                key = failed["Id"]
                message = failed.get("Message")
                reason = f"{failed['Code']}: {message}" if message else failed["Code"]
                # A sender fault (a malformed entry) fails the same way every time.
                if failed["SenderFault"]:
                    sent.refused[key] = reason
                else:
                    failures[key] = reason
            if not failures:
                return sent
            logger.warning(
                "SendMessageBatch: %d entries failed (attempt %d)", len(failures), attempt + 1
            )
            pending = {key: pending[key] for key in failures}
        sent.refused |= failures
        return sent


@dataclass
class Sent:
    """What became of one batch: entries SQS refused (id -> why), and the error a call raised."""

    refused: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def _entry(
    key: str, envelope: Envelope, body: str, delay: int, trace: str | None
) -> SendMessageBatchRequestEntryTypeDef:
    entry: SendMessageBatchRequestEntryTypeDef = {
        "Id": key,
        "MessageBody": body,
        # Copied out of the body so queue listings and the DLQ show what a message is.
        "MessageAttributes": {
            "task": {"DataType": "String", "StringValue": envelope.task},
            "task_id": {"DataType": "String", "StringValue": envelope.id},
        },
    }
    if delay:
        entry["DelaySeconds"] = delay
    if trace:
        # Not counted against the message's size or attribute quotas.
        entry["MessageSystemAttributes"] = {
            "AWSTraceHeader": {"DataType": "String", "StringValue": trace}
        }
    return entry
