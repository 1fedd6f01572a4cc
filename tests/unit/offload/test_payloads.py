"""offload.payloads: arguments too large for a message go to S3 under the prefix, keyed by the
task's id, and come back whole; a pointer the worker cannot follow is a permanent failure."""

from __future__ import annotations

import json
from typing import Any

import pytest

from offload import Envelope, PermanentTaskError
from offload.envelope import PayloadRef
from offload.payloads import S3PayloadStore

BUCKET = "uploads"


@pytest.fixture
def s3(aws: Any) -> Any:
    client = aws("s3")
    client.create_bucket(Bucket=BUCKET)
    return client


def store(s3: Any, bucket: str = BUCKET) -> S3PayloadStore:
    return S3PayloadStore(bucket, lambda: s3)


def test_arguments_go_to_s3_and_come_back(s3: Any) -> None:
    envelope = Envelope(task="t", args=["a" * 10, 2], kwargs={"k": [1, None]})

    pointed = store(s3).store(envelope)

    key = f"payloads/{envelope.id}.json"
    assert (pointed.args, pointed.kwargs) == ([], {})
    assert pointed.payload == PayloadRef(bucket=BUCKET, key=key)
    assert (pointed.id, pointed.task) == (envelope.id, envelope.task)
    stored = s3.get_object(Bucket=BUCKET, Key=key)
    assert stored["ContentType"] == "application/json"
    assert json.loads(stored["Body"].read()) == {"args": ["a" * 10, 2], "kwargs": {"k": [1, None]}}
    assert store(s3).load(pointed) == envelope


def test_an_envelope_without_a_pointer_is_left_as_it_is(s3: Any) -> None:
    envelope = Envelope(task="t", args=[1])

    assert store(s3).load(envelope) is envelope


def test_no_bucket_configured_is_a_clear_error(s3: Any) -> None:
    with pytest.raises(
        RuntimeError, match=r"^no payload bucket is configured for large task arguments$"
    ):
        store(s3, bucket="").store(Envelope(task="t"))


@pytest.mark.parametrize(
    ("key", "body", "problem"),
    [
        ("uploads/x.json", None, "outside payloads/"),
        ("payloads/gone.json", None, "is gone"),
        ("payloads/bad.json", b"not json", "is not valid"),
        ("payloads/partial.json", b'{"args": []}', "is not valid"),
    ],
)
def test_a_pointer_that_cannot_be_followed_is_permanent(
    s3: Any, key: str, body: bytes | None, problem: str
) -> None:
    if body is not None:
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
    envelope = Envelope(task="t", payload=PayloadRef(bucket=BUCKET, key=key))

    with pytest.raises(PermanentTaskError, match=problem):
        store(s3).load(envelope)


def test_a_missing_bucket_is_permanent_and_other_errors_are_not(s3: Any) -> None:
    from botocore.exceptions import ClientError

    gone = Envelope(task="t", payload=PayloadRef(bucket="no-such-bucket", key="payloads/x.json"))
    with pytest.raises(PermanentTaskError, match="is gone"):
        store(s3).load(gone)

    class Refusing:
        def get_object(self, **request: Any) -> Any:
            raise ClientError({"Error": {"Code": "SlowDown", "Message": "slow"}}, "GetObject")

    pointed = Envelope(task="t", payload=PayloadRef(bucket=BUCKET, key="payloads/x.json"))
    client: Any = Refusing()
    with pytest.raises(ClientError):
        S3PayloadStore(BUCKET, lambda: client).load(pointed)
