"""Uploads as a client makes them and reads them back: files, the API's multipart upload and
presigned POSTs, the file's status, the bucket's keys (shared by the test_uploads_* modules)."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from tests.functional.conftest import Cloud
from tests.multipart import multipart


def png(width: int, height: int, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    # One colour: even a huge image compresses to a few kilobytes.
    Image.new(mode, (width, height)).save(out, format="PNG")
    return out.getvalue()


def jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def upload(cloud: Cloud, filename: str, content_type: str, data: bytes) -> tuple[int, Any]:
    body, header = multipart(("file", filename, content_type, data))
    return cloud.call_api("POST", "/upload", body, content_type=header)


def authorize(cloud: Cloud, filename: str, content_type: str, size: int) -> dict[str, Any]:
    status, body = cloud.call_api(
        "POST", "/uploads", {"filename": filename, "content_type": content_type, "size": size}
    )
    assert status == 201, body
    result: dict[str, Any] = body
    return result


def put_as_client(cloud: Cloud, authorized: dict[str, Any], data: bytes) -> None:
    """What the client's POST to S3 amounts to (moto does not check POST policies; the policy
    itself is checked in test_presigned_post_policy_pins_key_size_type_and_expiry)."""
    fields = authorized["upload"]["fields"]
    cloud.s3.put_object(
        Bucket=cloud.upload_bucket,
        Key=fields["key"],
        Body=data,
        ContentType=fields["Content-Type"],
    )


def file_status(cloud: Cloud, file_id: str) -> dict[str, Any]:
    status, body = cloud.call_api("GET", f"/files/{file_id}")
    assert status == 200, body
    result: dict[str, Any] = body
    return result


def keys(cloud: Cloud, prefix: str = "") -> list[str]:
    listing = cloud.s3.list_objects_v2(Bucket=cloud.upload_bucket, Prefix=prefix)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def dead_letters(cloud: Cloud) -> list[dict[str, Any]]:
    return cloud.receive(cloud.dead_letter_queue_url)
