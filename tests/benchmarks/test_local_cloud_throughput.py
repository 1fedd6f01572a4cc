"""Worker throughput through the local cloud, from template.yaml: N write_log envelopes put on
its TaskQueue with SendMessageBatch while its pollers consume, timed until the queue is empty
(every status row then says succeeded), against a bare boto3 receive/delete loop draining N
messages from a plain queue on the same moto server (nothing polls it), with one thread and
with as many threads as the mapping has pollers; and against that loop running the worker's
own parts (the front door's consumer) on each batch in this process, which does the same work in
moto (the task rows, the log entries) without the local cloud's pollers and function
processes. Rounds rotate the order.

Timings are printed with ratios against baselines of the same run; only sanity is asserted.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from app import wiring
from app.background import background
from app.wiring import worker_readers
from offload_local.event_sources.records import sqs_event
from tests.benchmarks.local_cloud import (
    DRAIN_DEADLINE_SECONDS,
    DRAIN_POLL_SECONDS,
    Bench,
    Cpu,
    batch_sizes,
    cpu_seconds,
    deleted,
    invocations,
    quantile,
    queue_counts,
    verdict,
    wait_until_empty,
)
from tests.benchmarks.measure import table
from tests.conftest import make_context
from tests.moto_aws import queue_depth

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient

pytestmark = pytest.mark.benchmark

# ~20 tasks/s here (2 shared cores): 250 keeps the module near a minute.
THROUGHPUT_TASKS = 250
THROUGHPUT_WARMUP_TASKS = 50
THROUGHPUT_ROUNDS = 3
THROUGHPUT_GOAL = 0.8
SQS_BATCH = 10


def _envelopes(count: int) -> tuple[list[str], list[str]]:
    ids = [uuid.uuid4().hex for _ in range(count)]
    bodies = [
        json.dumps(
            {
                "v": 1,
                "id": task_id,
                "task": "write_log",
                "args": ["bench"],
                "kwargs": {},
                "enqueued_at": datetime.now(UTC).isoformat(),
                "correlation_id": None,
            }
        )
        for task_id in ids
    ]
    return ids, bodies


def _fill(sqs: SQSClient, url: str, bodies: Sequence[str]) -> None:
    for start in range(0, len(bodies), SQS_BATCH):
        chunk = bodies[start : start + SQS_BATCH]
        response = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "MessageBody": body} for i, body in enumerate(chunk)],
        )
        assert not response.get("Failed"), response["Failed"]


@dataclass(frozen=True)
class Drain:
    seconds: float  # first SendMessageBatch -> drained
    fill_seconds: float  # first -> last SendMessageBatch returned
    deliveries: int  # records received (a message may be received twice: at-least-once)
    cpu: Cpu  # CPU seconds over the drain: this process, moto's server, function processes

    def rate(self, count: int) -> float:
        return count / self.seconds


def _succeeded(dynamodb: DynamoDBClient, table: str, ids: Sequence[str]) -> int:
    """Status rows that say succeeded, among the ids."""
    count = 0
    for start in range(0, len(ids), 100):
        keys: list[Any] = [
            {"pk": {"S": f"TASK#{task_id}"}, "sk": {"S": "STATUS"}}
            for task_id in ids[start : start + 100]
        ]
        for _ in range(10):  # UnprocessedKeys: moto returns none, AWS might
            # Whole items: moto's batch_get_item ignores ExpressionAttributeNames.
            response = dynamodb.batch_get_item(RequestItems={table: {"Keys": keys}})
            items = response["Responses"].get(table, [])
            # moto's update_item creates the item before it sets the attributes: a read in
            # between sees the keys only, a task not done yet.
            count += sum(1 for item in items if item.get("status", {}).get("S") == "succeeded")
            unprocessed = response.get("UnprocessedKeys", {})
            keys = list(unprocessed[table]["Keys"]) if table in unprocessed else []
            if not keys:
                break
    return count


def _cloud_round(bench: Bench, count: int) -> Drain:
    """Put `count` write_log tasks on the TaskQueue while the pollers run; time until drained."""
    ids, bodies = _envelopes(count)
    mark = bench.transcript.mark()
    cpu_before = cpu_seconds()
    start = time.perf_counter()
    _fill(bench.sqs, bench.task_queue_url, bodies)
    filled = time.perf_counter()
    deadline = time.monotonic() + DRAIN_DEADLINE_SECONDS
    drained = 0.0
    while not drained and time.monotonic() < deadline:
        # The pollers' console lines say what they deleted: watching them costs moto nothing,
        # where asking it for queue counts every few milliseconds would take from the worker's
        # share of its process (the bare loops know when they are done without asking either).
        seen_at = time.perf_counter()
        if (
            sum(deleted(bench.transcript.lines_since(mark))) >= count
            and _succeeded(bench.dynamodb, bench.table, ids) == count
        ):
            drained = seen_at
        else:
            time.sleep(DRAIN_POLL_SECONDS)
    assert drained, (
        f"not done within {DRAIN_DEADLINE_SECONDS} s: "
        f"{queue_counts(bench.sqs, bench.task_queue_url)}"
    )
    cpu_after = cpu_seconds()
    succeeded = _succeeded(bench.dynamodb, bench.table, ids)
    assert succeeded == count, f"{succeeded} of {count} status rows say succeeded"
    deliveries = sum(batch_sizes(bench.transcript.lines_since(mark)))
    return Drain(drained - start, filled - start, deliveries, cpu_after - cpu_before)


Work = Callable[[list[dict[str, Any]]], None]


def _bare_round(
    sqs: SQSClient,
    url: str,
    count: int,
    threads: int,
    work: Callable[[], Work] | None = None,
) -> Drain:
    """`threads` bare receive(10, long poll 1 s) + delete_message_batch loops drain `count`;
    each thread runs its own `work()` on every batch before deleting it, if given."""
    _, bodies = _envelopes(count)
    lock = threading.Lock()
    done = threading.Event()
    seen: set[str] = set()
    deliveries = 0
    finished_at = 0.0
    errors: list[BaseException] = []
    deadline = time.monotonic() + DRAIN_DEADLINE_SECONDS

    def consume() -> None:
        nonlocal deliveries, finished_at
        try:
            handle = work() if work is not None else None
            while not done.is_set() and time.monotonic() < deadline:
                messages = sqs.receive_message(
                    QueueUrl=url,
                    MaxNumberOfMessages=SQS_BATCH,
                    WaitTimeSeconds=1,
                    MessageSystemAttributeNames=["All"],
                    MessageAttributeNames=["All"],
                ).get("Messages", [])
                if not messages:
                    continue
                if handle is not None:
                    handle([dict(m) for m in messages])
                response = sqs.delete_message_batch(
                    QueueUrl=url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(messages)
                    ],
                )
                assert not response.get("Failed"), response["Failed"]
                with lock:
                    deliveries += len(messages)
                    seen.update(m["MessageId"] for m in messages)
                    if len(seen) >= count and not done.is_set():
                        finished_at = time.perf_counter()
                        done.set()
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
            done.set()

    workers = [
        threading.Thread(target=consume, name=f"bench-bare-{i}", daemon=True)
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    try:
        cpu_before = cpu_seconds()
        start = time.perf_counter()
        _fill(sqs, url, bodies)
        filled = time.perf_counter()
        assert done.wait(DRAIN_DEADLINE_SECONDS), f"bare loop deleted {len(seen)} of {count}"
        cpu_after = cpu_seconds()
    finally:
        done.set()
        for worker in workers:
            worker.join(timeout=5)
    assert not errors, errors
    assert len(seen) == count
    return Drain(finished_at - start, filled - start, deliveries, cpu_after - cpu_before)


@contextmanager
def as_the_worker(bench: Bench) -> Iterator[None]:
    """This process with the worker function's environment: the template's variables, the
    local cloud's AWS endpoint (the worker's parts are then built against it)."""
    deployment = bench.cloud.deployment
    variables = {**deployment.function("WorkerFunction").variables, **deployment.aws.environment()}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in variables.items():
            patch.setenv(name, value)
        wiring.reset()
        try:
            yield
        finally:
            wiring.reset()


def _handler(queue_arn: str, region: str) -> Callable[[], Work]:
    """For each thread (an execution environment), the worker's consumer as worker.handler builds
    it, less the process-wide Powertools Logger and Metrics; every record must succeed."""

    def environment() -> Work:
        consumer = background.consumer(readers=worker_readers())

        def handle(messages: list[dict[str, Any]]) -> None:
            response = consumer.handle(sqs_event(messages, queue_arn, region), make_context())
            assert response == {"batchItemFailures": []}, response

        return handle

    return environment


@pytest.mark.benchmark
def test_worker_throughput_vs_bare_loop(bench: Bench) -> None:
    sqs = bench.sqs
    task_queue = sqs.get_queue_attributes(
        QueueUrl=bench.task_queue_url, AttributeNames=["VisibilityTimeout"]
    )["Attributes"]
    # Same server, same shape; no event source mapping polls it.
    plain_url = sqs.create_queue(
        QueueName=f"bench-plain-{uuid.uuid4().hex[:8]}",
        Attributes={"VisibilityTimeout": task_queue["VisibilityTimeout"]},
    )["QueueUrl"]
    assert wait_until_empty(sqs, bench.task_queue_url, time.monotonic() + DRAIN_DEADLINE_SECONDS)
    n = THROUGHPUT_TASKS
    concurrency = bench.pollers

    plain_arn = sqs.get_queue_attributes(QueueUrl=plain_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    handler = _handler(plain_arn, bench.cloud.deployment.stack.region)

    kinds: dict[str, Callable[[int], Drain]] = {
        "worker (local cloud ESM)": lambda count: _cloud_round(bench, count),
        "bare loop, 1 thread": lambda count: _bare_round(sqs, plain_url, count, 1),
        f"bare loop, {concurrency} threads": lambda count: _bare_round(
            sqs, plain_url, count, concurrency
        ),
        f"bare loop + worker's parts, {concurrency} threads": lambda count: _bare_round(
            sqs, plain_url, count, concurrency, handler
        ),
    }
    names = list(kinds)
    with as_the_worker(bench):
        # Warm-up: worker processes up to the pollers' concurrency, the plain queue, clients.
        for name in names:
            kinds[name](THROUGHPUT_WARMUP_TASKS)
        results: dict[str, list[Drain]] = {name: [] for name in names}
        cloud_lines: list[tuple[str, str]] = []
        for round_index in range(THROUGHPUT_ROUNDS):
            shift = round_index % len(names)
            for name in names[shift:] + names[:shift]:
                mark = bench.transcript.mark()
                results[name].append(kinds[name](n))
                if name == names[0]:
                    cloud_lines += bench.transcript.lines_since(mark)

    # Left in flight: messages whose delete moto lost (its queues are not thread-safe).
    stuck = {
        "task queue": queue_depth(sqs, bench.task_queue_url),
        "plain queue": queue_depth(sqs, plain_url),
    }
    assert queue_depth(sqs, bench.dead_letter_queue_url) == 0
    sqs.delete_queue(QueueUrl=plain_url)

    rates = {name: statistics.median(d.rate(n) for d in drains) for name, drains in results.items()}
    rows: list[list[object]] = []
    for name in names:
        drains = results[name]
        seconds = sum(d.seconds for d in drains)
        rows.append(
            [
                name,
                rates[name],
                min(d.rate(n) for d in drains),
                max(d.rate(n) for d in drains),
                statistics.median(d.seconds for d in drains),
                statistics.median(d.fill_seconds for d in drains),
                sum(d.deliveries for d in drains) - n * len(drains),
                100 * sum(d.cpu.own for d in drains) / seconds,
                100 * sum(d.cpu.aws for d in drains) / seconds,
                100 * sum(d.cpu.functions for d in drains) / seconds,
            ]
        )
    worker_ms = invocations(cloud_lines, "WorkerFunction")
    batches = batch_sizes(cloud_lines)
    assert sum(batches) >= n * THROUGHPUT_ROUNDS
    print(f"\n\n== Local cloud: worker throughput, {n} write_log tasks per round ==")
    print(
        f"   SendMessageBatch x{n // SQS_BATCH} while consumers run, timed until drained; "
        f"{THROUGHPUT_ROUNDS} rounds, order rotated; mapping concurrency {concurrency}; "
        f"median (min-max) over rounds"
    )
    print(
        table(
            [
                "consumer",
                "tasks/s",
                "min",
                "max",
                "drain s",
                "fill s",
                "extra receives",
                "CPU% here",
                "CPU% moto",
                "CPU% functions",
            ],
            rows,
        )
    )
    print(
        "   CPU%: of one core, over the drain; 'here' is this process (the pollers, the gateway, "
        "the console, the benchmark's clients and the bare loops), 'moto' moto's server process"
    )
    print(
        f"   worker: {len(worker_ms)} invocations, batch size mean "
        f"{statistics.mean(batches):.2f}, invocation p50 {quantile(worker_ms, 50):.0f} ms, "
        f"p95 {quantile(worker_ms, 95):.0f} ms "
        f"({quantile(worker_ms, 50) / max(statistics.mean(batches), 1):.1f} ms/task at p50)"
    )
    if any(stuck.values()):
        print(f"   left in flight after the rounds (lost deletes): {stuck}")
    cloud = rates[names[0]]
    for name in names[1:]:
        ratio = cloud / rates[name]
        print(
            f"   worker / {name}: {ratio:.2f}x (goal >= {THROUGHPUT_GOAL}x) -> "
            f"{verdict(ratio >= THROUGHPUT_GOAL)}"
        )
