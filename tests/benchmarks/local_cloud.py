"""The whole system through the local cloud, for the test_local_cloud_* benchmarks: one
LocalCloud from template.yaml on free loopback ports (moto's server in its own process, the HTTP
API gateway, event source mapping pollers, function processes), its console in a file, clients,
and what the measurements read back (REPORT lines, the gateway's timings, CPU time, queue counts).
"""

from __future__ import annotations

import http.client
import json
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlsplit

import boto3
from botocore.config import Config

from offload_local.aws.endpoint import FAKE_ACCESS_KEY_ID, FAKE_SECRET_ACCESS_KEY
from offload_local.cloud import LocalCloud
from offload_local.console import Console
from tests.benchmarks.measure import percentile
from tests.moto_aws import queue_depth
from tests.repository import on_free_ports

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_sqs.client import SQSClient
    from mypy_boto3_sqs.literals import QueueAttributeFilterType

HTTP_TIMEOUT_SECONDS = 30.0
DRAIN_DEADLINE_SECONDS = 120.0
DRAIN_POLL_SECONDS = 0.02
# What is measured here is the application and the local cloud, not the stage's throttles
# (5 requests a second on the sensitive routes), the daily email quota (20 per address) nor
# the caller's rate of writes (1 a second, 5 at once): raised far above what the benchmarks
# send.
UNTHROTTLED = {
    "ApiRateLimit": "100000",
    "ApiBurstLimit": "100000",
    "SensitiveRouteRateLimit": "100000",
    "SensitiveRouteBurstLimit": "100000",
    "EmailsPerRecipientPerDay": "10000",
    "UserWriteRateLimit": "1000",
    "UserWriteBurstLimit": "10000",
}
CALLER = "bench@example.com"
QUEUE_COUNTS: list[QueueAttributeFilterType] = [
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
]


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


# As the local cloud's own clients (offload_local.aws.endpoint), with a pool large enough for the
# baseline's threads.
CLIENT_CONFIG = Config(retries={"max_attempts": 2, "mode": "standard"}, max_pool_connections=20)


@contextmanager
def running_bench(folder: Path) -> Iterator[Bench]:
    """template.yaml's local cloud on free loopback ports, its console kept in `folder`."""
    transcript = Transcript(folder / "console.log")
    options = replace(on_free_ports(folder / "outbox"), parameter_overrides=UNTHROTTLED)
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
        task_queue = queues["TaskQueue"].rsplit("/", 1)[-1]
        task_pollers = [p for p in cloud.pollers if p.mapping.queue_name == task_queue]
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


def ms(seconds: float) -> float:
    return seconds * 1000


def quantile(values: Sequence[float], q: float) -> float:
    return percentile(values, q) if len(values) > 1 else values[0]


def queue_counts(sqs: SQSClient, url: str) -> dict[str, int]:
    """Visible, in flight (NotVisible) and delayed messages (moto's counts are exact)."""
    response = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=QUEUE_COUNTS)
    attributes = {str(name): value for name, value in response["Attributes"].items()}
    return {name: int(attributes.get(name, "0")) for name in QUEUE_COUNTS}


def wait_until_empty(sqs: SQSClient, url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if queue_depth(sqs, url) == 0:
            return True
        time.sleep(DRAIN_POLL_SECONDS)
    return False


def invocations(lines: Sequence[tuple[str, str]], function: str) -> list[float]:
    """Durations (ms) of the function's REPORT lines."""
    durations = []
    for source, text in lines:
        if source == function and text.startswith("REPORT "):
            field = text.split("Duration: ", 1)[1]
            durations.append(float(field.split(" ms", 1)[0]))
    return durations


@dataclass(frozen=True)
class Cpu:
    """CPU seconds (user + system) so far: this process (the pollers, the gateway, the console
    and the benchmark's own clients), moto's server process, the function processes."""

    own: float
    aws: float
    functions: float

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(self.own - other.own, self.aws - other.aws, self.functions - other.functions)


def cpu_seconds() -> Cpu:
    """CPU time of this process and of its live child processes (Linux /proc), moto's server
    told apart from the function processes by its command line."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()

    def parse(stat: str) -> tuple[int, float]:
        fields = stat[stat.rindex(")") + 2 :].split()
        return int(fields[1]), (int(fields[11]) + int(fields[12])) / tick

    own = parse(Path("/proc/self/stat").read_text())[1]
    aws = functions = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent, seconds = parse((entry / "stat").read_text())
            command = (entry / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile, or not ours to read
        if parent != me:
            continue
        if b"offload_local.aws.serve" in command:
            aws += seconds
        else:
            functions += seconds
    return Cpu(own, aws, functions)


def gateway_ms(lines: Sequence[tuple[str, str]]) -> list[tuple[str, float]]:
    """(method, ms) of each request the gateway logged: time from request read to response."""
    found = []
    for source, text in lines:
        if source == "gateway" and text.endswith(" ms)") and " -> " in text:
            found.append((text.split(" ", 1)[0], float(text.rsplit("(", 1)[1].split(" ")[0])))
    return found


def batch_sizes(lines: Sequence[tuple[str, str]]) -> list[int]:
    return [
        int(text.split()[2].rstrip(":"))
        for source, text in lines
        if source.endswith("Tasks") and text.startswith("batch of ")
    ]


def deleted(lines: Sequence[tuple[str, str]]) -> list[int]:
    """Messages the task queue's pollers deleted, batch by batch ("batch of 10: 10 deleted")."""
    return [
        int(text.split(": ", 1)[1].split()[0])
        for source, text in lines
        if source.endswith("Tasks") and text.startswith("batch of ")
    ]


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"
