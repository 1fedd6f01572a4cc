"""Receiving uploads: the API's multipart upload and its presigned POSTs. What is stored and
signed, and what is refused before anything is (sizes, types, forms, hostile names, the daily
quota); a file is its uploader's only."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.uploads import policy
from app.wiring import wiring
from tests.functional.conftest import ALICE, BOB, Cloud, User
from tests.functional.uploads import authorize, file_status, keys, upload
from tests.multipart import multipart


def test_presigned_post_policy_pins_key_size_type_and_expiry(cloud: Cloud) -> None:
    asked_at = datetime.now(UTC)
    authorized = authorize(cloud, "scan.pdf", "application/pdf", 50 * 1024 * 1024)
    answered_at = datetime.now(UTC)

    file_id = authorized["id"]
    assert authorized["status"] == "awaiting_upload"
    upload = authorized["upload"]
    assert upload["url"] == f"https://{cloud.upload_bucket}.s3.amazonaws.com/"
    assert (upload["expires_in"], upload["max_bytes"]) == (60, 50 * 1024 * 1024)
    fields = upload["fields"]
    assert fields["key"] == f"uploads/{file_id}"
    assert fields["Content-Type"] == "application/pdf"
    assert fields["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    document = json.loads(base64.b64decode(fields["policy"]))
    conditions = document["conditions"]
    assert {"bucket": cloud.upload_bucket} in conditions
    # The exact key: no "starts-with" a client could extend with a name of its own
    assert {"key": f"uploads/{file_id}"} in conditions
    assert not [c for c in conditions if isinstance(c, list) and c[0] == "starts-with"]
    # No more than the client declared: what its daily quota was charged for
    assert ["content-length-range", 1, 50 * 1024 * 1024] in conditions
    assert {"Content-Type": "application/pdf"} in conditions
    expires = datetime.fromisoformat(document["expiration"].replace("Z", "+00:00"))
    # A minute from when it was signed (to the second): for an upload starting now, not a form
    # to keep and use again
    minute = timedelta(seconds=60)
    assert asked_at + minute - timedelta(seconds=1) < expires <= answered_at + minute
    record = file_status(cloud, file_id)
    assert (record["status"], record["name"]) == ("awaiting_upload", "scan.pdf")
    assert record["declared_content_type"] == "application/pdf"
    # Nothing is queued and nothing stored until the client sends the file
    assert cloud.receive(cloud.heavy_queue_url) == []
    assert keys(cloud) == []


def test_content_types_are_matched_without_case(cloud: Cloud) -> None:
    authorized = authorize(cloud, "x.png", " Image/PNG", 10)
    assert authorized["upload"]["fields"]["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("filename", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("x.png\x00.php", "x.png.php"),
        ("\u202egnp.exe", "gnp.exe"),
        ("report\u202e\u2066fdp.exe", "reportfdp.exe"),
        ("C:\\Users\\me\\photo.png", "photo.png"),
        ("..", "file"),
        ("a" * 300 + ".png", "a" * 251 + ".png"),
    ],
)
def test_hostile_filenames_never_reach_the_key_and_are_stored_sanitised(
    cloud: Cloud, filename: str, stored: str
) -> None:
    authorized = authorize(cloud, filename, "image/png", 10)

    assert authorized["upload"]["fields"]["key"] == f"uploads/{authorized['id']}"
    record = file_status(cloud, authorized["id"])
    assert record["name"] == stored
    assert len(record["name"].encode()) <= 255


def test_hostile_filenames_in_a_multipart_upload(cloud: Cloud) -> None:
    for filename, stored in [("../../etc/passwd", "passwd"), ("\u202egnp.exe", "gnp.exe")]:
        status, accepted = upload(cloud, filename, "text/plain", b"hello")
        assert status == 202, accepted
        assert file_status(cloud, accepted["id"])["name"] == stored
    assert all(key.startswith("uploads/") and len(key) == 40 for key in keys(cloud))


def test_a_file_is_its_uploaders_only(cloud: Cloud, admin: User) -> None:
    _, accepted = upload(cloud, "mine.txt", "text/plain", b"hello")

    assert cloud.call_api("GET", f"/files/{accepted['id']}", as_user=BOB)[0] == 404
    assert cloud.call_api("GET", f"/files/{accepted['id']}", as_user=admin)[0] == 200


@pytest.mark.settings(UPLOAD_BYTES_PER_USER_PER_DAY=str(1024 * 1024))
def test_uploads_count_against_a_daily_byte_quota(cloud: Cloud) -> None:
    authorize(cloud, "a.png", "image/png", 1000 * 1024)

    # What a presigned POST allows counts, whether or not it is used
    status, answer = cloud.call_api(
        "POST", "/uploads", {"filename": "b.png", "content_type": "image/png", "size": 30 * 1024}
    )
    assert status == 429, answer
    assert upload(cloud, "c.txt", "text/plain", b"x" * 30 * 1024)[0] == 429
    # Small enough still fits; another user has a quota of their own
    assert upload(cloud, "d.txt", "text/plain", b"x" * 1024)[0] == 202
    assert (
        cloud.call_api(
            "POST",
            "/uploads",
            {"filename": "b.png", "content_type": "image/png", "size": 30 * 1024},
            as_user=BOB,
        )[0]
        == 201
    )
    assert len(cloud.rows("FILE#")) == 3


@pytest.mark.settings(UPLOAD_BUCKET_NAME="no-such-bucket")
def test_a_file_s3_would_not_take_is_503_and_leaves_nothing_behind(cloud: Cloud) -> None:
    status, answer = upload(cloud, "x.txt", "text/plain", b"hello")

    # Retry-able as it is: no record, and the quota given back
    assert status == 503, answer
    assert cloud.rows("FILE#") == []
    assert wiring().upload_quota.used(ALICE.sub) == 0


def test_a_body_over_the_limit_is_413_before_it_is_read(cloud: Cloud) -> None:
    too_big = b"x" * (policy.MAX_DIRECT_REQUEST_BYTES + 1)
    body, header = multipart(("file", "big.csv", "text/csv", too_big))

    status, answer = cloud.call_api("POST", "/upload", body, content_type=header)

    assert status == 413
    assert len(json.dumps(answer)) < 200
    assert keys(cloud) == []


def test_a_file_over_the_limit_in_a_request_under_it_is_413(cloud: Cloud) -> None:
    status, answer = upload(cloud, "big.txt", "text/plain", b"x" * (policy.MAX_DIRECT_BYTES + 1))

    assert status == 413
    assert "POST /uploads" in answer["detail"]
    assert keys(cloud) == []


def test_a_file_at_the_limit_fits_in_a_lambda_event(cloud: Cloud) -> None:
    data = b"x" * policy.MAX_DIRECT_BYTES
    body, header = multipart(("file", "big.txt", "text/plain", data))
    # API Gateway's event carries the body base64-encoded, with headers and request context
    # around it; Lambda takes 6 MB in all (6,000,000 read the strict way)
    assert len(base64.b64encode(body)) + 16 * 1024 < 6_000_000

    status, answer = cloud.call_api("POST", "/upload", body, content_type=header)

    assert status == 202, answer


@pytest.mark.parametrize(
    ("content_type", "part_type"),
    [
        ("application/json", "image/png"),
        ("text/plain", "image/png"),
        (None, "text/html"),
        (None, "image/svg+xml"),
    ],
)
def test_unsupported_types_are_415(cloud: Cloud, content_type: str | None, part_type: str) -> None:
    body, header = multipart(("file", "x", part_type, b"<svg onload=alert(1)>"))

    status, _ = cloud.call_api("POST", "/upload", body, content_type=content_type or header)

    assert status == 415
    assert keys(cloud) == []


@pytest.mark.parametrize(
    ("parts", "field"),
    [
        ([("other", "x.png", "image/png", b"SECRET-INPUT")], "file"),
        ([("file", None, None, b"SECRET-INPUT")], "file"),
        (
            [("file", "x.txt", "text/plain", b"ok"), ("comment", None, None, b"SECRET-INPUT")],
            "comment",
        ),
        ([("file", "x.txt", "text/plain", b"")], "file"),
    ],
    ids=["no-file", "file-as-text", "unknown-field", "empty-file"],
)
def test_malformed_forms_are_422_without_echo(
    cloud: Cloud, parts: list[tuple[str, str | None, str | None, bytes]], field: str
) -> None:
    body, header = multipart(*parts)

    status, answer = cloud.call_api("POST", "/upload", body, content_type=header)

    assert status == 422
    assert ["body", field] in [error["loc"] for error in answer["detail"]]
    assert "SECRET-INPUT" not in json.dumps(answer)
    assert all("input" not in error for error in answer["detail"])
    assert keys(cloud) == []
    assert cloud.rows("FILE#") == []
    assert cloud.receive(cloud.heavy_queue_url) == []


@pytest.mark.parametrize(
    ("request_body", "expected"),
    [
        ({"filename": "x.html", "content_type": "text/html", "size": 10}, 415),
        ({"filename": "x", "content_type": "application/octet-stream", "size": 10}, 415),
        ({"filename": "x.png", "content_type": "image/png", "size": 0}, 422),
        ({"filename": "x.png", "content_type": "image/png", "size": 100 * 1024 * 1024 + 1}, 422),
        ({"filename": "x.png", "content_type": "image/png", "size": "10"}, 422),
        ({"filename": "x.png", "content_type": "image/png"}, 422),
        (
            {"filename": "x.png", "content_type": "image/png", "size": 1, "key": "SECRET-INPUT"},
            422,
        ),
    ],
)
def test_refused_presign_requests(
    cloud: Cloud, request_body: dict[str, Any], expected: int
) -> None:
    status, answer = cloud.call_api("POST", "/uploads", request_body)

    assert status == expected, answer
    assert "SECRET-INPUT" not in json.dumps(answer)
    # No record is made for a refused request
    assert cloud.rows("FILE#") == []


def test_presign_requests_are_json_only(cloud: Cloud) -> None:
    body, header = multipart(("file", "x.png", "image/png", b"x"))
    assert cloud.call_api("POST", "/uploads", body, content_type=header)[0] == 415


def test_unknown_files_are_404_and_bad_ids_422(cloud: Cloud) -> None:
    assert cloud.call_api("GET", f"/files/{'0' * 32}")[0] == 404
    assert cloud.call_api("GET", "/files/not-an-id")[0] == 422
