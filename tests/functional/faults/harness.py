"""The worker in this process, behind the local cloud's SQS pollers, against moto's server holding
template.yaml's stack (provisioned by offload_local/provision once per server, its data cleared for
each test).

Running the worker in-process is what lets test-registered tasks (tests/functional/faults/tasks.py)
and in-process fault hooks reach it; everything between the queue and the handler is still the
real thing: moto's SQS (visibility timeouts, receive counts, redrive to the DLQ after
maxReceiveCount), the local cloud's event source mapping pollers (batching, Lambda's batch-response
rules, deletes) and the worker's own parts from app.wiring, talking HTTP to moto's server.
"""

from __future__ import annotations

import io
import json
import os
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pytest

from app.background import background
from app.wiring import worker_readers
from offload import TaskRow, registry
from offload.envelope import Envelope
from offload.lifecycle import FINAL_STATES
from offload.producer import RequestTasks
from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from offload_local.console import Console
from offload_local.email.outbox import Email, sent_emails
from offload_local.event_sources.poller import SqsPoller
from offload_local.functions.invocation import FunctionError, Invocation
from tests.conftest import make_context
from tests.functional.conftest import reset_caches
from tests.functional.faults.tasks import Crash
from tests.moto_aws import (
    clear_data,
    function_environment,
    provisioned,
    queue_depth,
    table_name,
)
from tests.polling import wait_for

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

    from offload.consumer import TaskConsumer
    from offload_local.provision.deployment import Deployment

T = TypeVar("T")

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

Outcome = Literal["succeeded", "failed", "invocation_failed"]

#: A lock for tests of the crash window: it expires soon after a crash, yet outlasts a run on a
#: loaded 2-core machine (a run that outlived its lock could be run again by a redelivery, a
#: double effect without a crash, which Lambda's deadline rules out).
CRASH_LOCK_MILLIS = 3_000


@dataclass(frozen=True)
class QueueConfig:
    """The task queue's settings, shorter than the template allows (its visibility timeout is
    10x a WorkerTimeout of 3 s or more; maxReceiveCount 5 or more), so that redeliveries and
    dead letters happen within seconds."""

    visibility_timeout: int = 2
    max_receive_count: int = 5


@dataclass(frozen=True)
class Delivery:
    """One record handed to the worker, and what became of it."""

    message_id: str
    task_id: str | None
    receive_count: int
    environment: str
    outcome: Outcome


class HandlerFault(RuntimeError):
    """Raise from the handler itself, outside the per-record code."""


def task_id_of(body: str) -> str | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


class InProcessWorker:
    """The worker function. Each poller thread is one execution environment with a consumer of
    its own (a consumer, like a Lambda environment, runs one batch at a time), wired as
    worker.handler wires it, less the process-wide Powertools Logger and Metrics.

    `remaining_millis` is the Lambda context's remaining time, fixed: it is also how long each
    run's lock on its task's row lasts, counted from the run's start. On Lambda no run
    outlives its lock (the lock is the invocation's deadline, where the run is killed); here a
    run is never killed, so the default outlasts any run on a loaded machine, and tests of the
    crash window choose a lock that expires within seconds of the crash (CRASH_LOCK_MILLIS).
    The time guard is scaled down with it.
    """

    def __init__(self, remaining_millis: int = 10_000, time_guard_ms: int = 200) -> None:
        self.remaining_millis = remaining_millis
        self.time_guard_ms = time_guard_ms
        self._local = threading.local()
        self._lock = threading.Lock()
        self._fail_after: list[int] = []
        self.deliveries: list[Delivery] = []
        self.invocations = 0
        self.crashed_invocations = 0
        #: Errors no test asked for: the handler must never raise on its own.
        self.unexpected: list[BaseException] = []

    def new_environment(self) -> TaskConsumer:
        # A consumer of its own; the clients are shared, as the fault hooks on them must reach
        # every environment.
        return background.consumer(readers=worker_readers(), time_guard_ms=self.time_guard_ms)

    def fail_next_invocation_after(self, records: int) -> None:
        """The next invocation handles its first `records` records, then its handler raises."""
        with self._lock:
            self._fail_after.append(records)

    def __call__(self, event: Any) -> Invocation:
        request_id = str(uuid.uuid4())
        records: list[dict[str, Any]] = event["Records"]
        consumer: TaskConsumer | None = getattr(self._local, "consumer", None)
        if consumer is None:
            consumer = self._local.consumer = self.new_environment()
        with self._lock:
            self.invocations += 1
            fail_after = self._fail_after.pop(0) if self._fail_after else None
        context = make_context(remaining_millis=self.remaining_millis, aws_request_id=request_id)
        result: Any = None
        error: FunctionError | None = None
        try:
            if fail_after is None:
                result = consumer.handle(event, context)
            else:
                consumer.handle({"Records": records[:fail_after]}, context)
                raise HandlerFault(f"the handler failed after {fail_after} records")
        except Crash as exc:
            # The process died: Lambda reports the invocation as failed and starts a new
            # environment for the next one.
            self._local.consumer = None
            error = FunctionError("Runtime.ExitError", str(exc))
            with self._lock:
                self.crashed_invocations += 1
        except Exception as exc:
            error = FunctionError(type(exc).__name__, str(exc))
            if not isinstance(exc, HandlerFault):
                with self._lock:
                    self.unexpected.append(exc)
        self._record(records, result, error)
        return Invocation(request_id, result=result, error=error)

    def _record(
        self, records: Sequence[Mapping[str, Any]], result: Any, error: FunctionError | None
    ) -> None:
        failed = {
            str(f.get("itemIdentifier"))
            for f in (result or {}).get("batchItemFailures", [])
            if isinstance(f, dict)
        }
        environment = threading.current_thread().name
        deliveries = [
            Delivery(
                message_id=r["messageId"],
                task_id=task_id_of(r["body"]),
                receive_count=int(r["attributes"].get("ApproximateReceiveCount", "1")),
                environment=environment,
                outcome="invocation_failed"
                if error is not None
                else "failed"
                if r["messageId"] in failed
                else "succeeded",
            )
            for r in records
        ]
        with self._lock:
            self.deliveries += deliveries

    def deliveries_of(self, task_id: str) -> list[Delivery]:
        with self._lock:
            return [d for d in self.deliveries if d.task_id == task_id]

    def delivery_counts(self) -> Counter[str]:
        """Deliveries by task id (records whose body names no task id are left out)."""
        with self._lock:
            return Counter(d.task_id for d in self.deliveries if d.task_id is not None)


class FaultCloud:
    """The template's stack in moto's server, its task queue shortened (QueueConfig); the app's
    settings pointing at it; helpers to enqueue, inspect and run pollers."""

    def __init__(self, deployment: Deployment, config: QueueConfig) -> None:
        self.config = config
        self.deployment = deployment
        self.aws = deployment.aws
        self.sqs: SQSClient = self.aws.client("sqs")
        queues = self.deployment.queues()
        self.task_queue_url = queues["TaskQueue"]
        self.task_queue_arn = str(self.deployment.registry.get_att("TaskQueue", "Arn"))
        self.dead_letter_queue_url = queues["DeadLetterQueue"]
        self.heavy_queue_url = queues["HeavyTaskQueue"]
        self.table = table_name(self.deployment)
        # The server keeps what earlier tests sent: this one's emails are those after it.
        self._emails_before = sent_emails(self.aws.url, ACCOUNT_ID, REGION)[0]
        redrive = self.sqs.get_queue_attributes(
            QueueUrl=self.task_queue_url, AttributeNames=["RedrivePolicy"]
        )["Attributes"]["RedrivePolicy"]
        self.sqs.set_queue_attributes(
            QueueUrl=self.task_queue_url,
            Attributes={
                "VisibilityTimeout": str(config.visibility_timeout),
                "RedrivePolicy": json.dumps(
                    json.loads(redrive) | {"maxReceiveCount": config.max_receive_count}
                ),
            },
        )

    def settings(self) -> dict[str, str]:
        """The worker's and the API's environment: template.yaml's variables, the worker's
        attempts matching the shortened queue (the template sets both from MaxReceiveCount)."""
        return function_environment(self.deployment) | {
            "AWS_ENDPOINT_URL": self.aws.url,
            "OFFLOAD_MAX_ATTEMPTS": str(self.config.max_receive_count),
        }

    # Producing

    def envelopes(
        self, func: Callable[..., Any], calls: Sequence[tuple[Any, ...]]
    ) -> list[Envelope]:
        """Envelopes as add_task makes them (arguments validated, ids made once)."""
        added = RequestTasks(registry, background.clock)
        for args in calls:
            added.add_task(func, *args)
        return [a.envelope for a in added.added]

    def enqueue(self, envelopes: Sequence[Envelope]) -> list[str]:
        """What the API does before it answers: record them as queued, then send."""
        self.record_queued(envelopes)
        background.router.send(envelopes)
        return [e.id for e in envelopes]

    def record_queued(self, envelopes: Sequence[Envelope]) -> None:
        background.rows.enqueue(envelopes)

    def send_raw(self, body: str, delay_seconds: int = 0) -> str:
        """A message as some other sender (or SQS itself, duplicating) would put it."""
        return self.sqs.send_message(
            QueueUrl=self.task_queue_url, MessageBody=body, DelaySeconds=delay_seconds
        )["MessageId"]

    # Observing

    def status(self, task_id: str) -> TaskRow | None:
        return background.status(task_id)

    def statuses(self, task_ids: Sequence[str]) -> dict[str, TaskRow | None]:
        return {task_id: self.status(task_id) for task_id in task_ids}

    def depth(self, queue_url: str | None = None) -> int:
        """Messages on the queue: visible, in flight or delayed."""
        return queue_depth(self.sqs, queue_url or self.task_queue_url)

    def dead_letters(self) -> list[dict[str, Any]]:
        """Every message in the dead-letter queue, left there.

        Received with a visibility timeout, then made visible again: receiving with a zero
        timeout (a "peek") gets moto's first ten messages every time and never the rest.
        """
        found: list[dict[str, Any]] = []
        while messages := self.sqs.receive_message(
            QueueUrl=self.dead_letter_queue_url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=60,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", []):
            found += [dict(m) for m in messages]
        for start in range(0, len(found), 10):
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.dead_letter_queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": 0}
                    for i, m in enumerate(found[start : start + 10])
                ],
            )
        return found

    def wait_for_dead_letters(self, count: int) -> list[dict[str, Any]]:
        def enough() -> list[dict[str, Any]] | None:
            dead = self.dead_letters()
            return dead if len(dead) >= count else None

        return wait_for(f"{count} dead letters", enough)

    def emails(self) -> list[Email]:
        """What the local SES accepted (read from moto's server process)."""
        return sent_emails(self.aws.url, ACCOUNT_ID, REGION, self._emails_before)[1]

    def emails_to(self) -> Counter[str]:
        return Counter(m.to[0] for m in self.emails())

    def settle(self, task_ids: Sequence[str] = (), timeout: float = 60) -> None:
        """Wait until the task queue is empty and every id has a final status."""

        def settled() -> bool:
            if self.depth():
                return False
            statuses = self.statuses(task_ids)
            return all(s is not None and s.status in FINAL_STATES for s in statuses.values())

        wait_for("the queue to drain and every task to finish", settled, timeout)

    @contextmanager
    def pollers(
        self, worker: InProcessWorker, concurrency: int = 2, batch_size: int = 10
    ) -> Iterator[SqsPoller]:
        """The template's event source mapping of the task queue (ReportBatchItemFailures)
        feeding `worker`, with the test's concurrency and batch size."""
        [template_mapping] = [
            m
            for m in self.deployment.event_source_mappings.values()
            if m.queue_arn == self.task_queue_arn
        ]
        mapping = replace(template_mapping, batch_size=batch_size, maximum_concurrency=concurrency)
        # A client of their own: hooks the tests put on the app's clients do not reach them.
        own = AwsEndpoint(self.aws.url, REGION, ACCOUNT_ID)
        console = Console(io.StringIO(), colour=False)
        poller = SqsPoller(mapping, own, worker, console, concurrency)
        poller.start()
        try:
            yield poller
        finally:
            poller.stop()


#: The stack provisioned in each server, by its URL (checked before use: a later server may
#: have the same port).
_deployments: dict[str, Deployment] = {}


@contextmanager
def running_cloud(server: MotoServer, config: QueueConfig) -> Iterator[FaultCloud]:
    """The stack's resources, empty, and the app's settings pointing at them."""
    known = _deployments.get(server.url)
    deployment = _deployments[server.url] = provisioned(
        AwsEndpoint(server.url, REGION, ACCOUNT_ID), known
    )
    clear_data(deployment)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_SESSION_TOKEN": "testing",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }.items():
            patch.setenv(name, value)
        patch.delenv("AWS_PROFILE", raising=False)
        cloud = FaultCloud(deployment, config)
        for name, value in cloud.settings().items():
            patch.setenv(name, value)
        # Clients, settings and consumers are cached per execution environment: start afresh.
        reset_caches()
        try:
            yield cloud
        finally:
            reset_caches()
