"""Benchmarks run only when asked for (`make bench`, i.e. `pytest tests/benchmarks -m benchmark`).

They print measurements and assert only sanity, never timings: the machine is shared and noisy, so
every figure is a ratio against a baseline measured in the same run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

# The functional tests' moto-backed account, for benchmarks that count what a request costs.
from tests.functional.conftest import cloud as cloud
from tests.moto_aws import REGION, create_task_queues, use_fake_credentials

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip benchmark-marked tests unless the marker expression names them (`-m benchmark`)."""
    if "benchmark" in (config.getoption("markexpr", default="") or ""):
        return
    skip = pytest.mark.skip(reason="benchmark: run with `make bench` (-m benchmark)")
    for item in items:
        if item.get_closest_marker("benchmark") is not None:
            item.add_marker(skip)


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
def task_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Queue]:
    """An SQS queue shaped like template.yaml's TaskQueue, in moto."""
    use_fake_credentials(monkeypatch)
    with mock_aws():
        client = boto3.client("sqs", region_name=REGION)
        url, _, _ = create_task_queues(client)
        yield Queue(client, url)


@pytest.fixture
def current_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """Mangum runs each request on the thread's current event loop: ours, closed afterwards."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield loop
    asyncio.set_event_loop(None)
    loop.close()
