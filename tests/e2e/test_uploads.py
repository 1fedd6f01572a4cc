"""Uploads over real HTTP, both ways: multipart through the API, and a presigned POST straight to
S3. Either way the bucket's notification reaches the worker, and the result is served by the API."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from PIL import Image

from tests.e2e.client import api_request, call
from tests.e2e.client import request as http_request
from tests.e2e.conftest import Target
from tests.multipart import multipart
from tests.polling import wait_for

pytestmark = pytest.mark.e2e


def png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 20)).save(out, format="PNG")
    return out.getvalue()


def processed(target: Target, status_url: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        _, file = call(target, "GET", status_url)
        return file if file and file["status"] in {"ready", "failed"} else None

    return wait_for(f"{status_url} to be processed", done)


def test_an_image_uploaded_through_the_api_gets_its_checksum_and_thumbnails(
    target: Target, request: pytest.FixtureRequest
) -> None:
    if not target.binary_bodies:
        # Strict: the day the SAM CLI passes binary bodies on, this fails and says so.
        reason = "sam local start-api cannot pass a binary request body on (aws-sam-cli#3110)"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))
    image = png(640, 320)
    body, content_type = multipart(("file", "../holiday photo.png", "image/png", image))

    status, raw = api_request(target, "/upload", "POST", body, content_type)

    assert status == 202, raw
    accepted = json.loads(raw)
    file = processed(target, accepted["status_url"])
    assert file["status"] == "ready", file["reason"]
    assert file["name"] == "holiday photo.png"
    assert (file["size"], file["content_type"]) == (len(image), "image/png")
    assert file["sha256"] == hashlib.sha256(image).hexdigest()
    thumbnails = file["result"]["thumbnails"]
    assert len(thumbnails) == 2
    # The thumbnails' bytes, through their links: PNGs of the sizes promised
    for thumbnail in thumbnails:
        code, data = http_request(thumbnail["url"])
        assert code == 200
        with Image.open(io.BytesIO(data)) as made:
            assert made.size == (thumbnail["width"], thumbnail["height"])
            assert max(made.size) <= thumbnail["size"]


def test_a_large_file_goes_straight_to_s3_with_a_presigned_post(target: Target) -> None:
    data = b"city,temp\nLyon,12\nOslo,-3\nRome,21\n"
    status, authorized = call(
        target,
        "POST",
        "/uploads",
        {"filename": "weather.csv", "content_type": "text/csv", "size": len(data)},
    )
    assert status == 201, authorized
    upload = authorized["upload"]

    fields = [(name, None, None, value.encode()) for name, value in upload["fields"].items()]
    body, content_type = multipart(*fields, ("file", "weather.csv", "text/csv", data))
    code, answer = http_request(upload["url"], "POST", body, content_type)

    assert code in {200, 201, 204}, answer
    file = processed(target, authorized["status_url"])
    assert file["status"] == "ready", file["reason"]
    assert file["content_type"] == "text/csv"
    temp = file["result"]["summary"]["fields"]["temp"]
    assert (temp["min"], temp["max"], temp["count"]) == (-3, 21, 3)


def test_a_file_that_lies_about_its_type_fails_with_a_reason(target: Target) -> None:
    body, content_type = multipart(("file", "photo.png", "image/png", b"not really a png"))

    status, raw = api_request(target, "/upload", "POST", body, content_type)

    assert status == 202, raw
    file = processed(target, json.loads(raw)["status_url"])
    assert file["status"] == "failed"
    assert file["reason"] == {
        "code": "file_mismatch",
        "message": "Declared image/png, but the content is text/plain.",
    }
    assert file["result"]["thumbnails"] == []
