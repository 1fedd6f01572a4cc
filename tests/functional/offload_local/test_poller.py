"""The SQS event source mapping against moto's real SQS: Lambda's rules, observed.

The function here is an in-process fake (the runtime has its own tests), so each test controls
exactly what the "worker" answers. Queues use a 1 s visibility timeout and maxReceiveCount 2 so
retries and dead-lettering happen within seconds.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.console import Console
from offload_local.event_sources.poller import SqsPoller
from offload_local.functions.invocation import FunctionError, Invocation
from offload_local.provision.deployment import EventSourceMapping
from tests.functional.offload_local.conftest import eventually
from tests.moto_aws import queue_depth

Handler = Callable[[dict[str, Any]], Any]


@dataclass
class Queues:
    aws: AwsEndpoint
    url: str
    arn: str
    dlq_url: str

    def send(self, *bodies: str, **attributes: str) -> None:
        for body in bodies:
            self.aws.client("sqs").send_message(
                QueueUrl=self.url,
                MessageBody=body,
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
                },
            )

    def depth(self, url: str) -> int:
        return queue_depth(self.aws.client("sqs"), url)

    def dead_letters(self) -> list[str]:
        messages = self.aws.client("sqs").receive_message(
            QueueUrl=self.dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
        )
        return sorted(m["Body"] for m in messages.get("Messages", []))


@dataclass
class Worker:
    """A fake function: records every event, answers with `handler`."""

    handler: Handler
    events: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, event: Any) -> Invocation:
        with self.lock:
            self.events.append(event)
        try:
            return Invocation("r", result=self.handler(event))
        except Exception as exc:
            return Invocation("r", error=FunctionError(type(exc).__name__, str(exc)))

    def deliveries(self) -> Counter[str]:
        with self.lock:
            return Counter(r["body"] for e in self.events for r in e["Records"])


@pytest.fixture
def queues(aws: AwsEndpoint) -> Queues:
    sqs = aws.client("sqs")
    dlq = sqs.create_queue(QueueName="dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])
    url = sqs.create_queue(
        QueueName="tasks",
        Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": 2}
            ),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Queues(aws, url, arn["Attributes"]["QueueArn"], dlq)


@contextmanager
def polling(
    queues: Queues, worker: Worker, report: bool = True, batch_size: int = 10, concurrency: int = 1
) -> Iterator[SqsPoller]:
    mapping = EventSourceMapping(
        logical_id="Tasks",
        uuid="u",
        function="Worker",
        queue_arn=queues.arn,
        batch_size=batch_size,
        report_batch_item_failures=report,
        maximum_concurrency=concurrency,
    )
    poller = SqsPoller(mapping, queues.aws, worker, Console(colour=False), concurrency)
    poller.start()
    try:
        yield poller
    finally:
        poller.stop()


def fail(bodies: set[str]) -> Handler:
    def handler(event: dict[str, Any]) -> Any:
        failures = [r["messageId"] for r in event["Records"] if r["body"] in bodies]
        return {"batchItemFailures": [{"itemIdentifier": i} for i in failures]}

    return handler


def test_records_have_lambdas_shape(queues: Queues) -> None:
    worker = Worker(lambda event: None)
    queues.send("hello", reason="because")

    with polling(queues, worker):
        eventually(lambda: worker.events)

    (record,) = worker.events[0]["Records"]
    assert record["body"] == "hello"
    assert record["md5OfBody"] == hashlib.md5(b"hello").hexdigest()  # noqa: S324 - SQS's digest
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == queues.arn
    assert record["awsRegion"] == "us-east-1"
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert {"SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"} <= set(
        record["attributes"]
    )
    assert record["messageAttributes"]["reason"] == {
        "stringValue": "because",
        "stringListValues": [],
        "binaryListValues": [],
        "dataType": "String",
    }


def test_reported_failures_are_retried_until_the_dead_letter_queue(queues: Queues) -> None:
    worker = Worker(fail({"bad"}))
    queues.send("good-1", "bad", "good-2")

    with polling(queues, worker):
        assert eventually(queues.dead_letters) == ["bad"]

    deliveries = worker.deliveries()
    assert deliveries["good-1"] == deliveries["good-2"] == 1
    # maxReceiveCount 2: delivered twice, then SQS moves it on the next receive.
    assert deliveries["bad"] == 2
    assert queues.depth(queues.url) == 0


def test_an_invocation_error_retries_the_whole_batch(queues: Queues) -> None:
    def crash(event: dict[str, Any]) -> Any:
        raise RuntimeError("worker crashed")

    worker = Worker(crash)
    queues.send("a", "b")

    with polling(queues, worker):
        assert eventually(lambda: len(queues.dead_letters()) == 2 and queues.dead_letters())

    assert worker.deliveries() == Counter({"a": 2, "b": 2})


def test_an_invalid_identifier_retries_the_whole_batch(queues: Queues) -> None:
    answers = iter([{"batchItemFailures": [{"itemIdentifier": ""}]}])
    worker = Worker(lambda event: next(answers, None))
    queues.send("a", "b")

    with polling(queues, worker):
        eventually(lambda: sum(worker.deliveries().values()) >= 4 and queues.depth(queues.url) == 0)

    # The first answer failed both; the second (null) deleted both.
    assert worker.deliveries() == Counter({"a": 2, "b": 2})
    assert queues.dead_letters() == []


def test_without_report_batch_item_failures_failures_are_deleted(queues: Queues) -> None:
    worker = Worker(fail({"a", "b"}))
    queues.send("a", "b")

    with polling(queues, worker, report=False):
        eventually(lambda: sum(worker.deliveries().values()) == 2)
        # The list is ignored: the batch is deleted at once, lost.
        eventually(lambda: queues.depth(queues.url) == 0)

    assert worker.deliveries() == Counter({"a": 1, "b": 1})
    assert queues.dead_letters() == []


def test_batch_size_and_maximum_concurrency(queues: Queues) -> None:
    running = 0
    peak = 0
    lock = threading.Lock()

    def slow(event: dict[str, Any]) -> Any:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        threading.Event().wait(0.2)
        with lock:
            running -= 1
        return None

    worker = Worker(slow)
    queues.send(*[f"m{i}" for i in range(8)])

    with polling(queues, worker, batch_size=2, concurrency=2):
        eventually(lambda: sum(worker.deliveries().values()) == 8)

    assert all(len(e["Records"]) <= 2 for e in worker.events)
    assert peak <= 2
    assert queues.depth(queues.url) == 0
