"""Benchmarks run only when asked for (`make bench`, i.e. `pytest tests/benchmarks -m benchmark`).

They print measurements and assert only sanity, never timings: the machine is shared and noisy, so
every figure is a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from mangum import Mangum

from offload import Offload, TaskRegistry
from offload.config import Config
from offload.queue import SqsTaskQueue
from offload.testing.rows import MemoryTaskRows

# The functional tests' moto-backed stack, for benchmarks that count what a request costs.
from tests.benchmarks.local_cloud import Bench, running_bench
from tests.functional.conftest import Cloud
from tests.functional.conftest import cloud as cloud

if TYPE_CHECKING:
    from collections.abc import Mapping

    from mypy_boto3_sqs.client import SQSClient

    from offload.queue import TaskQueue
    from offload.rows import TaskRows
    from offload.schedules import OneTimeSchedules
    from tests.conftest import FakeLambdaContext


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip benchmark-marked tests unless the marker expression names them (`-m benchmark`)."""
    if "benchmark" in (config.getoption("markexpr", default="") or ""):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `make bench` (-m benchmark)")
    for item in items:
        if item.get_closest_marker("benchmark") is not None:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """The functions log each request and task at the template's LogLevel (INFO); under
    `pytest -s` that would bury the figures."""
    logging.disable(logging.INFO)
    yield
    logging.disable(logging.NOTSET)


@dataclass
class Queue:
    client: SQSClient
    url: str

    def count(self) -> int:
        """Messages on the queue now (moto: no in-flight delay, counts are exact)."""
        attributes = self.client.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])


@pytest.fixture
def task_queue(cloud: Cloud) -> Queue:
    """template.yaml's TaskQueue, in moto (the functional tests' stack)."""
    return Queue(cloud.sqs, cloud.task_queue_url)


@pytest.fixture(scope="session")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    """One local cloud for the test_local_cloud_* modules, stopped with the session."""
    with running_bench(tmp_path_factory.mktemp("local_cloud_bench")) as started:
        yield started


@pytest.fixture
def current_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """Mangum runs each request on the thread's current event loop: ours, closed afterwards."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()


#: Milliseconds one `handler(event, context)` call takes.
TimedCall = Callable[[Any, dict[str, Any]], float]


@pytest.fixture
def timed_call(
    lambda_context: FakeLambdaContext, current_loop: asyncio.AbstractEventLoop
) -> TimedCall:
    """Time a Lambda handler's call on an event (Mangum on this test's loop); it must answer 200."""

    def call(handler: Any, event: dict[str, Any]) -> float:
        start = time.perf_counter()
        response = handler(event, lambda_context)
        elapsed = (time.perf_counter() - start) * 1000
        assert response["statusCode"] == 200, response
        return elapsed

    return call


@dataclass
class PartsBackend:
    """A backend of given parts (offload.backend.Backend): an API side sending to one queue, with
    the rows and schedules a benchmark chooses (by default rows in memory: no DynamoDB call)."""

    queue: TaskQueue
    rows: TaskRows = field(default_factory=lambda: MemoryTaskRows(lambda: datetime.now(UTC)))
    schedules: OneTimeSchedules = field(default=None)  # type: ignore[assignment]
    dead_letters: Any = None
    visibility: Any = None
    payloads: Any = None

    @property
    def queues(self) -> Mapping[str, TaskQueue]:
        return {"default": self.queue}


def front_door(registry: TaskRegistry, queue: Queue, **parts: Any) -> Offload:
    """A front door that sends `registry`'s tasks to `queue` (moto), with `parts` (rows, schedules)
    as given."""
    backend = PartsBackend(SqsTaskQueue(queue.url, lambda: queue.client), **parts)
    return Offload(Config(), registry=registry, backend=backend)


def api_handler(door: Offload, path: str, endpoint: Callable[..., Any]) -> Mangum:
    """The Lambda handler of an app with the front door installed and one route, POST `path`."""
    app = FastAPI()
    door.install(app)
    app.post(path)(endpoint)
    return Mangum(app, lifespan="off")
