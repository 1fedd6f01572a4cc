"""Arguments too large for an SQS message travel through S3, both ways, transparently."""

from __future__ import annotations

import json

import pytest

from app.background import background
from offload import Envelope, registry
from tests.functional.conftest import ALICE, Cloud

received: list[int] = []


@registry.task("measure_blob")
def measure_blob(blob: str, *, label: str) -> None:
    received.append(len(blob))


@pytest.fixture
def bucket(cloud: Cloud) -> str:
    """The stack's upload bucket, which keeps large arguments under payloads/."""
    received.clear()
    return cloud.upload_bucket


def test_a_2_mb_argument_goes_through_s3_and_reaches_the_task(cloud: Cloud, bucket: str) -> None:
    blob = "x" * (2 * 1024 * 1024)
    envelope = Envelope(task="measure_blob", args=[blob], kwargs={"label": "big"}, owner=ALICE.sub)

    background.router.send([envelope])

    [message] = cloud.receive(cloud.task_queue_url)
    body = json.loads(message["Body"])
    assert len(message["Body"]) < 1024
    assert body["args"] == []
    assert body["payload"] == {"bucket": bucket, "key": f"payloads/{envelope.id}.json"}
    assert body["id"] == envelope.id
    cloud.sqs.change_message_visibility(
        QueueUrl=cloud.task_queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )

    [handled] = cloud.run_worker()

    assert handled["id"] == envelope.id
    assert received == [len(blob)]
    assert cloud.call_api("GET", f"/tasks/{envelope.id}")[1]["status"] == "succeeded"


def test_small_arguments_stay_inline(cloud: Cloud, bucket: str) -> None:
    background.router.send([Envelope(task="measure_blob", args=["small"], kwargs={"label": "s"})])

    [message] = cloud.receive(cloud.task_queue_url)
    assert "payload" not in json.loads(message["Body"])
    assert cloud.s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_a_pointer_to_a_missing_payload_is_dead_lettered_with_the_reason(
    cloud: Cloud, bucket: str
) -> None:
    body = json.dumps(
        {
            "v": 1,
            "id": "a" * 32,
            "task": "measure_blob",
            "payload": {"bucket": bucket, "key": "payloads/gone.json"},
        }
    )
    cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody=body)

    cloud.run_worker()

    [dead] = cloud.receive(cloud.dead_letter_queue_url)
    assert (
        "payload payloads/gone.json is gone" in dead["MessageAttributes"]["reason"]["StringValue"]
    )
    assert received == []
