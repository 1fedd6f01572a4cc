"""The whole system through the local cloud: API latency, request to done, worker throughput.

One LocalCloud from template.yaml on free loopback ports (moto server, HTTP API gateway, event
source mapping pollers, function processes), shared by the three measurements of this module:

1. API latency over real HTTP (keep-alive): POST /send-notification/{email}, which enqueues two
   tasks, against GET /logs?limit=1, which enqueues none; interleaved, so load drifts and the
   worker running the POSTs' tasks in the background weigh on both alike.
2. Request to task done: POST /send-notification/..., then GET /tasks/{id} for both ids until
   "succeeded"; sequential, each with a deadline. Also the status rows' own view (enqueued_at to
   the final updated_at), which has no polling granularity.
3. Worker throughput: N write_log envelopes put on the cloud's TaskQueue with SendMessageBatch
   while its pollers consume, timed until the queue is empty (every status row then says
   succeeded), against a bare boto3 receive/delete loop draining N messages from a plain queue on
   the same moto server (nothing polls it), with one thread and with as many threads as the
   mapping has pollers. Rounds rotate the order.

Timings are printed with ratios against baselines of the same run; only sanity is asserted.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.config import Config

from infra.aws.endpoint import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from infra.cloud import CloudOptions, LocalCloud
from infra.console import Console
from tests.benchmarks.measure import interleaved, percentile, table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeFilterType

pytestmark = pytest.mark.benchmark

# 1. API latency: untimed warm-up pairs, then interleaved pairs (ABBA).
API_WARMUP = 20
API_PAIRS = 200
CHEAP_PATH = "/logs?limit=1"
ENQUEUE_PATH = "/send-notification/bench@example.com"  # the caller's own address

# 2. Request to done.
E2E_WARMUP = 3
E2E_REQUESTS = 50
E2E_DEADLINE_SECONDS = 10.0
STATUS_POLL_SECONDS = 0.01
E2E_GOAL_MS = 250.0

# 3. Throughput.
# ~15-20 tasks/s here (2 shared cores): 250 keeps the module near two minutes.
THROUGHPUT_TASKS = 250
THROUGHPUT_WARMUP_TASKS = 50
THROUGHPUT_ROUNDS = 3
DRAIN_DEADLINE_SECONDS = 120.0
DRAIN_POLL_SECONDS = 0.02
THROUGHPUT_GOAL = 0.8
SQS_BATCH = 10

HTTP_TIMEOUT_SECONDS = 30.0
# What is measured here is the application and the local cloud, not the stage's throttles
# (5 requests a second on the sensitive routes) nor the daily email quota (20 per address):
# raised far above what this module sends.
UNTHROTTLED = {
    "ApiRateLimit": "100000",
    "ApiBurstLimit": "100000",
    "SensitiveRouteRateLimit": "100000",
    "SensitiveRouteBurstLimit": "100000",
    "EmailsPerRecipientPerDay": "10000",
}
CALLER = "bench@example.com"
QUEUE_COUNTS: list[QueueAttributeFilterType] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


# --------------------------------------------------------------------------------------------
# The cloud, its console, and clients


class Transcript:
    """The cloud's console, written to a file; lines of interest are read back by position."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream: TextIO = path.open("w", encoding="utf-8")

    def mark(self) -> int:
        self.stream.flush()
        return self.path.stat().st_size

    def lines_since(self, mark: int) -> list[tuple[str, str]]:
        """(source, text) of each console line written after the mark."""
        self.stream.flush()
        with self.path.open("rb") as file:
            file.seek(mark)
            data = file.read().decode("utf-8", "replace")
        found = []
        for line in data.splitlines():
            source, sep, text = line.partition(" | ")
            if sep:
                found.append((source.strip(), text))
        return found

    def close(self) -> None:
        self.stream.close()


@dataclass
class Bench:
    cloud: LocalCloud
    transcript: Transcript
    sqs: SQSClient
    dynamodb: DynamoDBClient
    task_queue_url: str
    dead_letter_queue_url: str
    table: str
    pollers: int
    token: str


# As infra's own clients (infra.aws.endpoint), with a pool large enough for the baseline's threads.
CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=20)


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    folder = tmp_path_factory.mktemp("local_cloud_bench")
    transcript = Transcript(folder / "console.log")
    options = CloudOptions(
        port=0, aws_port=0, outbox=folder / "outbox", parameter_overrides=UNTHROTTLED
    )
    cloud = LocalCloud(options, Console(transcript.stream, colour=False))
    try:
        cloud.start()
        deployment = cloud.deployment
        region = deployment.stack.region
        session = boto3.session.Session(
            aws_access_key_id=FAKE_ACCESS_KEY_ID,
            aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
            region_name=region,
        )
        queues = deployment.queues()
        task_pollers = [p for p in cloud.pollers if p.mapping.queue_name.endswith("TaskQueue")]
        assert len(task_pollers) == 1, [p.mapping.logical_id for p in cloud.pollers]
        yield Bench(
            cloud=cloud,
            transcript=transcript,
            sqs=session.client("sqs", endpoint_url=cloud.aws_url, config=CLIENT_CONFIG),
            dynamodb=session.client("dynamodb", endpoint_url=cloud.aws_url, config=CLIENT_CONFIG),
            task_queue_url=queues["TaskQueue"],
            dead_letter_queue_url=queues["DeadLetterQueue"],
            table=str(deployment.registry.ref("DataTable")),
            pollers=task_pollers[0].concurrency,
            # An admin: the cheap request reads the notification log, an admin's view.
            token=cloud.token(CALLER, admin=True),
        )
    finally:
        cloud.stop()
        transcript.close()


class Http:
    """One keep-alive connection to the gateway as one caller (a bearer token); JSON bodies;
    reconnects once if it was closed."""

    def __init__(self, url: str, token: str) -> None:
        parts = urlsplit(url)
        assert parts.hostname is not None
        assert parts.port is not None
        self._host, self._port = parts.hostname, parts.port
        self._headers = {"Authorization": f"Bearer {token}"}
        self._connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self._host, self._port, timeout=HTTP_TIMEOUT_SECONDS)

    def call(self, method: str, path: str) -> tuple[int, Any]:
        for attempt in (1, 2):
            try:
                self._connection.request(method, path, headers=self._headers)
                response = self._connection.getresponse()
                body = response.read()
                return response.status, json.loads(body or b"null")
            except (http.client.RemoteDisconnected, ConnectionError):
                self._connection.close()
                self._connection = self._connect()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self._connection.close()


def _ms(seconds: float) -> float:
    return seconds * 1000


def _p(values: Sequence[float], q: float) -> float:
    return percentile(values, q) if len(values) > 1 else values[0]


def _queue_counts(sqs: SQSClient, url: str) -> dict[str, int]:
    """Visible, in flight (NotVisible) and delayed messages (moto's counts are exact)."""
    response = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=QUEUE_COUNTS)
    attributes = {str(name): value for name, value in response["Attributes"].items()}
    return {name: int(attributes.get(name, "0")) for name in QUEUE_COUNTS}


def _queue_total(sqs: SQSClient, url: str) -> int:
    return sum(_queue_counts(sqs, url).values())


def _wait_until_empty(sqs: SQSClient, url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if _queue_total(sqs, url) == 0:
            return True
        time.sleep(DRAIN_POLL_SECONDS)
    return False


def _invocations(lines: Sequence[tuple[str, str]], function: str) -> list[float]:
    """Durations (ms) of the function's REPORT lines."""
    durations = []
    for source, text in lines:
        if source == function and text.startswith("REPORT "):
            field = text.split("Duration: ", 1)[1]
            durations.append(float(field.split(" ms", 1)[0]))
    return durations


def _cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process and of its live child processes (Linux /proc):
    here, moto's server, the gateway, the pollers and the console are all this process; the
    function processes are its children."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()

    def parse(stat: str) -> tuple[int, float]:
        fields = stat[stat.rindex(")") + 2 :].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick

    own = parse(Path("/proc/self/stat").read_text())[1]
    children = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent, seconds = parse((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if parent == me:
            children += seconds
    return own, children


def _gateway_ms(lines: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
    """(method, ms) of each request the gateway logged: time from request read to response."""
    found = []
    for source, text in lines:
        if source == "gateway" and text.endswith(" ms)") and " -> " in text:
            found.append((text.split(" ", 1)[0], float(text.rsplit("(", 1)[1].split(" ")[0])))
    return found


def _batch_sizes(lines: Sequence[tuple[str, str]]) -> list[int]:
    return [
        int(text.split()[2].rstrip(":"))
        for source, text in lines
        if source.endswith("Tasks") and text.startswith("batch of ")
    ]


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


# --------------------------------------------------------------------------------------------
# 1. API latency


@pytest.mark.benchmark
def test_api_latency_enqueue_vs_no_enqueue(bench: Bench) -> None:
    assert bench.cloud.api_url is not None
    client = Http(bench.cloud.api_url, bench.token)
    statuses: list[tuple[str, int]] = []
    task_counts: list[int] = []

    def cheap() -> float:
        start = time.perf_counter()
        status, body = client.call("GET", CHEAP_PATH)
        elapsed = time.perf_counter() - start
        statuses.append(("GET", status))
        assert isinstance(body, list)
        return _ms(elapsed)

    def enqueue() -> float:
        start = time.perf_counter()
        status, body = client.call("POST", ENQUEUE_PATH)
        elapsed = time.perf_counter() - start
        statuses.append(("POST", status))
        task_counts.append(len(body["task_ids"]))
        return _ms(elapsed)

    try:
        interleaved(cheap, enqueue, API_WARMUP)
        statuses.clear()
        task_counts.clear()
        mark = bench.transcript.mark()
        paired = interleaved(cheap, enqueue, API_PAIRS)
        lines = bench.transcript.lines_since(mark)
    finally:
        client.close()

    assert {s for m, s in statuses if m == "GET"} == {200}
    assert {s for m, s in statuses if m == "POST"} == {202}
    assert task_counts == [2] * API_PAIRS
    assert all(ms > 0 for ms in paired.baseline + paired.subject)
    api_ms = _invocations(lines, "ApiFunction")
    gateway = _gateway_ms(lines)
    # Requests are sequential: the i-th API invocation served the i-th request.
    assert len(api_ms) == len(gateway) == 2 * API_PAIRS, (len(api_ms), len(gateway))

    rows: list[list[object]] = []
    for name, samples in (
        (f"GET {CHEAP_PATH} (no task)", paired.baseline),
        (f"POST {ENQUEUE_PATH.rsplit('/', 1)[0]}/... (2 tasks)", paired.subject),
    ):
        rows.append(
            [name, _p(samples, 50), _p(samples, 95), min(samples), max(samples), len(samples)]
        )
    p50_ratio = _p(paired.subject, 50) / _p(paired.baseline, 50)
    p95_ratio = _p(paired.subject, 95) / _p(paired.baseline, 95)
    print("\n\n== Local cloud: API latency over HTTP, enqueue (2 tasks) vs none ==")
    print(
        f"   gateway -> ApiFunction process (Mangum) -> moto; keep-alive; {API_WARMUP} warm-up "
        f"pairs, then {API_PAIRS} interleaved pairs (ABBA)"
    )
    print(table(["endpoint", "p50 ms", "p95 ms", "min ms", "max ms", "n"], rows))
    print(f"   ratio POST/GET: p50 {p50_ratio:.2f}x, p95 {p95_ratio:.2f}x")
    print(
        "   extra cost of the enqueue path (p50 difference): "
        f"{_p(paired.subject, 50) - _p(paired.baseline, 50):.1f} ms"
    )
    split: list[list[object]] = []
    for method, samples in (("GET", paired.baseline), ("POST", paired.subject)):
        invoke = [ms for (m, _), ms in zip(gateway, api_ms, strict=True) if m == method]
        served = [ms for m, ms in gateway if m == method]
        client_p50, served_p50, invoke_p50 = _p(samples, 50), _p(served, 50), _p(invoke, 50)
        split.append(
            [
                method,
                client_p50,
                served_p50,
                invoke_p50,
                client_p50 - served_p50,
                served_p50 - invoke_p50,
            ]
        )
    print("   where the time goes, p50 ms (gateway's log line; ApiFunction REPORT Duration):")
    print(
        table(
            ["endpoint", "client", "gateway", "invoke", "HTTP+client", "gateway-invoke"],
            split,
        )
    )
    assert _wait_until_empty(
        bench.sqs, bench.task_queue_url, time.monotonic() + DRAIN_DEADLINE_SECONDS
    ), "the worker did not drain the POSTs' tasks"


# --------------------------------------------------------------------------------------------
# 2. Request to task done


@dataclass(frozen=True)
class Done:
    client_ms: float  # request sent -> both statuses seen as succeeded
    accepted_ms: float  # request sent -> 202 received
    recorded_ms: float  # request sent -> the last status row's updated_at (wall clock)
    polls: int
    without_enqueued_at: int  # status rows the API's "queued" write did not reach first


def _request_to_done(client: Http) -> Done:
    sent_at = datetime.now(UTC)
    start = time.perf_counter()
    status, body = client.call("POST", ENQUEUE_PATH)
    accepted = time.perf_counter() - start
    assert status == 202, body
    pending: list[str] = list(body["task_ids"])
    assert len(pending) == 2, body
    deadline = time.monotonic() + E2E_DEADLINE_SECONDS
    finals: list[dict[str, Any]] = []
    polls = 0
    while pending:
        if time.monotonic() > deadline:
            pytest.fail(f"tasks {pending} not succeeded within {E2E_DEADLINE_SECONDS} s")
        still: list[str] = []
        for task_id in pending:
            code, found = client.call("GET", f"/tasks/{task_id}")
            polls += 1
            state = found.get("status") if code == 200 and isinstance(found, dict) else None
            if state == "succeeded":
                finals.append(found)
            elif state in ("failed", "dead_lettered"):
                pytest.fail(f"task {task_id} ended {state}: {found}")
            else:
                still.append(task_id)
        pending = still
        if pending:
            time.sleep(STATUS_POLL_SECONDS)
    done = time.perf_counter() - start
    updated = max(datetime.fromisoformat(f["updated_at"]) for f in finals)
    return Done(
        client_ms=_ms(done),
        accepted_ms=_ms(accepted),
        recorded_ms=(updated - sent_at).total_seconds() * 1000,
        polls=polls,
        without_enqueued_at=sum(1 for f in finals if f.get("enqueued_at") is None),
    )


@pytest.mark.benchmark
def test_request_to_task_done(bench: Bench) -> None:
    assert bench.cloud.api_url is not None
    client = Http(bench.cloud.api_url, bench.token)
    try:
        for _ in range(E2E_WARMUP):
            _request_to_done(client)
        mark = bench.transcript.mark()
        runs = [_request_to_done(client) for _ in range(E2E_REQUESTS)]
        lines = bench.transcript.lines_since(mark)
    finally:
        client.close()

    worker_ms = _invocations(lines, "WorkerFunction")
    batches = _batch_sizes(lines)
    assert len(runs) == E2E_REQUESTS
    assert all(r.recorded_ms >= 0 and r.client_ms >= r.accepted_ms for r in runs)

    rows: list[list[object]] = []
    for name, values in (
        ("request -> both succeeded (client, polling)", [r.client_ms for r in runs]),
        ("request -> 202 accepted", [r.accepted_ms for r in runs]),
        ("request -> last status write (updated_at)", [r.recorded_ms for r in runs]),
        ("WorkerFunction invocation (REPORT)", worker_ms),
    ):
        rows.append([name, _p(values, 50), _p(values, 95), max(values), len(values)])
    p50 = _p([r.client_ms for r in runs], 50)
    print("\n\n== Local cloud: request -> task done (POST /send-notification, 2 tasks) ==")
    print(
        f"   sequential, {E2E_WARMUP} warm-up; done = GET /tasks/{{id}} says succeeded for both "
        f"(polled every {_ms(STATUS_POLL_SECONDS):.0f} ms + a request, "
        f"{statistics.mean(r.polls for r in runs):.1f} polls per request)"
    )
    print(table(["measure", "p50 ms", "p95 ms", "max ms", "n"], rows))
    sizes = statistics.mean(batches) if batches else 0.0
    print(f"   worker batches: {len(batches)}, mean size {sizes:.2f}")
    missing = sum(r.without_enqueued_at for r in runs)
    if missing:
        print(
            f"   note: {missing} of {2 * E2E_REQUESTS} status rows have no enqueued_at (the "
            "worker wrote the row before the API's conditional 'queued' put)"
        )
    print(f"   goal p50 < {E2E_GOAL_MS:.0f} ms: p50 {p50:.0f} ms -> {_verdict(p50 < E2E_GOAL_MS)}")


# --------------------------------------------------------------------------------------------
# 3. Worker throughput


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
    cpu_own: float  # CPU seconds of this process (moto, pollers, gateway, console, bench)
    cpu_functions: float  # CPU seconds of the function processes

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
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    _fill(bench.sqs, bench.task_queue_url, bodies)
    filled = time.perf_counter()
    deadline = time.monotonic() + DRAIN_DEADLINE_SECONDS
    drained = 0.0
    while not drained and time.monotonic() < deadline:
        counts = _queue_counts(bench.sqs, bench.task_queue_url)
        if sum(counts.values()) == 0 or (
            counts["ApproximateNumberOfMessagesNotVisible"] == sum(counts.values())
            and _succeeded(bench.dynamodb, bench.table, ids) == count
        ):
            drained = time.perf_counter()
        if not drained:
            time.sleep(DRAIN_POLL_SECONDS)
    assert drained, f"not done within {DRAIN_DEADLINE_SECONDS} s: {counts}"
    cpu_after = _cpu_seconds()
    succeeded = _succeeded(bench.dynamodb, bench.table, ids)
    assert succeeded == count, f"{succeeded} of {count} status rows say succeeded"
    deliveries = sum(_batch_sizes(bench.transcript.lines_since(mark)))
    own, functions = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    return Drain(drained - start, filled - start, deliveries, own, functions)


def _bare_round(sqs: SQSClient, url: str, count: int, threads: int) -> Drain:
    """`threads` bare receive(10, long poll 1 s) + delete_message_batch loops drain `count`."""
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
            while not done.is_set() and time.monotonic() < deadline:
                messages = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=SQS_BATCH, WaitTimeSeconds=1
                ).get("Messages", [])
                if not messages:
                    continue
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
        cpu_before = _cpu_seconds()
        start = time.perf_counter()
        _fill(sqs, url, bodies)
        filled = time.perf_counter()
        assert done.wait(DRAIN_DEADLINE_SECONDS), f"bare loop deleted {len(seen)} of {count}"
        cpu_after = _cpu_seconds()
    finally:
        done.set()
        for worker in workers:
            worker.join(timeout=5)
    assert not errors, errors
    assert len(seen) == count
    own, functions = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    return Drain(finished_at - start, filled - start, deliveries, own, functions)


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
    assert _wait_until_empty(sqs, bench.task_queue_url, time.monotonic() + DRAIN_DEADLINE_SECONDS)
    n = THROUGHPUT_TASKS
    concurrency = bench.pollers

    kinds: dict[str, Callable[[int], Drain]] = {
        "worker (local cloud ESM)": lambda count: _cloud_round(bench, count),
        "bare loop, 1 thread": lambda count: _bare_round(sqs, plain_url, count, 1),
        f"bare loop, {concurrency} threads": lambda count: _bare_round(
            sqs, plain_url, count, concurrency
        ),
    }
    names = list(kinds)
    # Warm-up: worker processes up to the pollers' concurrency, the plain queue, the clients.
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
        "task queue": _queue_total(sqs, bench.task_queue_url),
        "plain queue": _queue_total(sqs, plain_url),
    }
    assert _queue_total(sqs, bench.dead_letter_queue_url) == 0
    sqs.delete_queue(QueueUrl=plain_url)

    rates = {name: statistics.median(d.rate(n) for d in drains) for name, drains in results.items()}
    rows: list[list[object]] = []
    for name in names:
        drains = results[name]
        rows.append(
            [
                name,
                rates[name],
                min(d.rate(n) for d in drains),
                max(d.rate(n) for d in drains),
                statistics.median(d.seconds for d in drains),
                statistics.median(d.fill_seconds for d in drains),
                sum(d.deliveries for d in drains) - n * len(drains),
                100 * sum(d.cpu_own for d in drains) / sum(d.seconds for d in drains),
                100 * sum(d.cpu_functions for d in drains) / sum(d.seconds for d in drains),
            ]
        )
    worker_ms = _invocations(cloud_lines, "WorkerFunction")
    batches = _batch_sizes(cloud_lines)
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
                "CPU% this process",
                "CPU% functions",
            ],
            rows,
        )
    )
    print(
        "   CPU%: of one core, over the drain; 'this process' is moto's server, the pollers, "
        "the gateway, the console and this client"
    )
    print(
        f"   worker: {len(worker_ms)} invocations, batch size mean "
        f"{statistics.mean(batches):.2f}, invocation p50 {_p(worker_ms, 50):.0f} ms, "
        f"p95 {_p(worker_ms, 95):.0f} ms "
        f"({_p(worker_ms, 50) / max(statistics.mean(batches), 1):.1f} ms/task at p50)"
    )
    if any(stuck.values()):
        print(f"   left in flight after the rounds (lost deletes): {stuck}")
    cloud = rates[names[0]]
    for name in names[1:]:
        ratio = cloud / rates[name]
        print(
            f"   worker / {name}: {ratio:.2f}x (goal >= {THROUGHPUT_GOAL}x) -> "
            f"{_verdict(ratio >= THROUGHPUT_GOAL)}"
        )
