"""A presigned POST used again before it expires, over real HTTP through the local cloud: the
file's record ends up describing the object really in the bucket, never one it replaced, and an
object past its owner's daily quota is removed from the bucket, the file failed with the code."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest

from tests.multipart import multipart
from tests.polling import wait_for
from tests.security.conftest import UPLOAD_BYTES_PER_DAY, Stack
from tests.security.http import call

pytestmark = pytest.mark.e2e


def authorize(stack: Stack, token: str, size: int) -> dict[str, Any]:
    signed = {"filename": "data.csv", "content_type": "text/csv", "size": size}
    status, authorized, _ = call(f"{stack.api}/uploads", "POST", signed, token)
    assert status == 201, authorized
    result: dict[str, Any] = authorized
    return result


def post(authorized: dict[str, Any], data: bytes) -> None:
    """The client's POST of the form and a file, straight to S3."""
    upload = authorized["upload"]
    fields = [(name, None, None, value.encode()) for name, value in upload["fields"].items()]
    body, content_type = multipart(*fields, ("file", "data.csv", "text/csv", data))
    status, answer, _ = call(upload["url"], "POST", body, headers={"content-type": content_type})
    assert status in {200, 201, 204}, answer


def file_when(stack: Stack, token: str, file_id: str, what: str, done: Any) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        _, file, _ = call(f"{stack.api}/files/{file_id}", token=token)
        return file if done(file) else None

    return wait_for(what, check)


def in_bucket(stack: Stack, file_id: str) -> bytes | None:
    s3 = stack.cloud.deployment.aws.client("s3")
    bucket = str(stack.cloud.deployment.registry.ref("UploadBucket"))
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"uploads/{file_id}").get("Contents", [])
    if not listed:
        return None
    data: bytes = s3.get_object(Bucket=bucket, Key=f"uploads/{file_id}")["Body"].read()
    return data


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_presigned_post_used_again_leaves_the_record_describing_the_object_in_the_bucket(
    stack: Stack,
) -> None:
    token = stack.token(f"s-{uuid.uuid4().hex[:10]}@example.com")
    first, second = b"city,temp\nLyon,12\n", b"name,age\nann,3\nbob,4\n"
    authorized = authorize(stack, token, 1000)
    post(authorized, first)
    file_when(
        stack, token, authorized["id"], "the first object", lambda f: f["sha256"] == digest(first)
    )

    post(authorized, second)

    file = file_when(
        stack,
        token,
        authorized["id"],
        "the second object processed",
        lambda f: f["status"] == "ready" and f["sha256"] == digest(second),
    )
    assert in_bucket(stack, authorized["id"]) == second
    assert (file["size"], file["result"]["summary"]["records"]) == (len(second), 2)


@pytest.mark.usefixtures("within_one_utc_day")
def test_a_presigned_post_used_again_past_the_quota_leaves_nothing_in_the_bucket(
    stack: Stack,
) -> None:
    token = stack.token(f"s-{uuid.uuid4().hex[:10]}@example.com")
    # Three quarters of the day's quota counted when signed
    authorized = authorize(stack, token, UPLOAD_BYTES_PER_DAY * 3 // 4)
    post(authorized, b"city,temp\nLyon,12\n")
    file_when(stack, token, authorized["id"], "the first object", lambda f: f["status"] == "ready")

    # A second object of half of it: more than the day leaves
    half = UPLOAD_BYTES_PER_DAY // 2
    post(authorized, b"n\n" + b"1\n" * (half // 2 - 1))

    file = file_when(
        stack, token, authorized["id"], "the refused object", lambda f: f["status"] == "failed"
    )
    assert file["reason"]["code"] == "upload_quota_exceeded"
    assert in_bucket(stack, authorized["id"]) is None
