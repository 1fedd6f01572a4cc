"""Pollers of one SQS event source mapping: receive a batch, invoke, settle the batch.

Like Lambda: long-poll ReceiveMessage for every system and message attribute, gather up to
BatchSize within MaximumBatchingWindowInSeconds, invoke the function synchronously, then delete
what the batch-response rules say succeeded. Nothing else touches the messages: failed ones
come back after the queue's visibility timeout, and SQS (moto) moves them to the dead-letter
queue after maxReceiveCount receives.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.console import Console
from offload_local.event_sources.batch_response import BatchDecision, decide
from offload_local.event_sources.records import sqs_event
from offload_local.functions.invocation import Invocation
from offload_local.provision.deployment import EventSourceMapping

# Lambda starts five pollers for a queue without a maximum concurrency.
DEFAULT_CONCURRENCY = 5
# Lambda long-polls for 20 s; one second answers Ctrl-C promptly and costs nothing locally.
POLL_WAIT_SECONDS = 1
SQS_MAX_MESSAGES = 10

Invoke = Callable[[Any], Invocation]


class SqsPoller:
    """Runs `concurrency` polling threads, so at most that many invocations at once."""

    def __init__(
        self,
        mapping: EventSourceMapping,
        aws: AwsEndpoint,
        invoke: Invoke,
        console: Console,
        concurrency: int | None = None,
    ) -> None:
        self.mapping = mapping
        self.concurrency = concurrency or mapping.maximum_concurrency or DEFAULT_CONCURRENCY
        self._aws = aws
        self._invoke = invoke
        self._console = console
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._queue_url: str | None = None

    def start(self) -> None:
        if not self.mapping.enabled:
            return
        for index in range(self.concurrency):
            thread = threading.Thread(
                target=self._run, name=f"{self.mapping.logical_id}-{index}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def signal_stop(self) -> None:
        """Ask every poller to stop after its current receive or invocation."""
        self._stopping.set()

    def stop(self, timeout: float = 30) -> None:
        self.signal_stop()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self._threads.clear()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                batch = self._collect()
                if batch and not self._stopping.is_set():
                    self._process(batch)
            except Exception as exc:
                if self._stopping.is_set():
                    return
                self._say(f"polling failed, retrying in 1 s: {exc}")
                self._stopping.wait(1)

    def _collect(self) -> list[dict[str, Any]]:
        """One batch: up to BatchSize messages, gathered within the batching window."""
        batch: list[dict[str, Any]] = []
        first_at = 0.0
        window = self.mapping.batching_window_seconds
        while len(batch) < self.mapping.batch_size and not self._stopping.is_set():
            if batch:
                remaining = window - (time.monotonic() - first_at)
                if remaining <= 0:
                    break
                wait = min(20, math.ceil(remaining))  # ReceiveMessage waits whole seconds
            else:
                wait = POLL_WAIT_SECONDS
            received = (
                self._sqs()
                .receive_message(
                    QueueUrl=self._url(),
                    MaxNumberOfMessages=min(SQS_MAX_MESSAGES, self.mapping.batch_size - len(batch)),
                    WaitTimeSeconds=wait,
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                )
                .get("Messages", [])
            )
            if received and not batch:
                first_at = time.monotonic()
            batch.extend(received)
            if not batch or window == 0:
                break
        return batch

    def _process(self, batch: Sequence[Mapping[str, Any]]) -> None:
        event = sqs_event(batch, self.mapping.queue_arn, self._aws.region)
        invocation = self._invoke(event)
        decision = decide(
            [m["MessageId"] for m in batch],
            report_batch_item_failures=self.mapping.report_batch_item_failures,
            invocation_failed=not invocation.ok,
            response=invocation.result,
        )
        failed = self._delete(batch, decision)
        self._report(len(batch), decision, invocation, failed)

    def _delete(self, batch: Sequence[Mapping[str, Any]], decision: BatchDecision) -> int:
        handles = [m["ReceiptHandle"] for m in batch if m["MessageId"] in decision.delete]
        failed = 0
        for start in range(0, len(handles), SQS_MAX_MESSAGES):
            chunk = handles[start : start + SQS_MAX_MESSAGES]
            response = self._sqs().delete_message_batch(
                QueueUrl=self._url(),
                Entries=[{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(chunk)],
            )
            failed += len(response.get("Failed", []))
        return failed

    def _report(
        self, size: int, decision: BatchDecision, invocation: Invocation, failed_deletes: int
    ) -> None:
        error = ""
        if invocation.error is not None:
            error = f" [{invocation.error.error_type}: {invocation.error.message}]"
        deletes = f", {failed_deletes} deletes failed" if failed_deletes else ""
        self._say(
            f"batch of {size}: {len(decision.delete)} deleted, {len(decision.retry)} left for "
            f"retry ({decision.reason}){error}{deletes}"
        )

    def _say(self, text: str) -> None:
        self._console.line(self.mapping.logical_id, text)

    def _sqs(self) -> Any:
        return self._aws.client("sqs")

    def _url(self) -> str:
        if self._queue_url is None:
            name = self.mapping.queue_name
            owner = self.mapping.queue_arn.split(":")[4]
            self._queue_url = str(
                self._sqs().get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]
            )
        return self._queue_url
