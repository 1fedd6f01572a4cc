"""Uploads: through the API (multipart) or straight to S3 (presigned POST); either way the bucket
notifies the task queue and the worker processes the file, recording the outcome on its record,
which only its uploader reads. A file that is not what it claims fails with a public reason;
only what cannot come through the API reaches the dead-letter queue."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from PIL import Image

from app.uploads import policy
from app.wiring import wiring
from tests.functional.conftest import ADMIN, ALICE, BOB, Cloud, notify_uploads, reset_caches
from tests.moto_aws import REGION
from tests.multipart import multipart

ID = r"[0-9a-f]{32}"


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


def rows(prefix: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName="DataTable")["Items"]
    return [dict(i) for i in items if i["pk"]["S"].startswith(prefix)]


def file_records() -> list[dict[str, Any]]:
    return rows("FILE#")


def task_rows(cloud: Cloud) -> list[dict[str, Any]]:
    return rows("TASK#")


def dead_letters(cloud: Cloud) -> list[dict[str, Any]]:
    return cloud.receive(cloud.dead_letter_queue_url)


def test_an_image_sent_to_the_api_is_stored_under_its_id_and_gets_thumbnails(
    cloud: Cloud,
) -> None:
    image = png(800, 400)

    status, accepted = upload(cloud, "holiday.png", "image/png", image)

    assert status == 202, accepted
    file_id = accepted["id"]
    assert accepted == {"id": file_id, "status": "uploaded", "status_url": f"/files/{file_id}"}
    # Stored under the generated id at once, with the record already there
    assert keys(cloud) == [f"uploads/{file_id}"]
    stored = cloud.s3.get_object(Bucket=cloud.upload_bucket, Key=f"uploads/{file_id}")
    assert stored["Body"].read() == image
    before = file_status(cloud, file_id)
    assert (before["status"], before["name"], before["task_id"]) == (
        "uploaded",
        "holiday.png",
        None,
    )
    assert before["result"]["thumbnails"] == []
    # The API queued no task: the only message is S3's own notification
    [message] = cloud.receive(cloud.heavy_queue_url)
    assert json.loads(message["Body"])["Records"][0]["eventSource"] == "aws:s3"
    cloud.sqs.change_message_visibility(
        QueueUrl=cloud.heavy_queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
    )

    cloud.run_worker()

    done = file_status(cloud, file_id)
    assert done["status"] == "ready", done
    assert done["size"] == len(image)
    assert done["sha256"] == hashlib.sha256(image).hexdigest()
    assert done["content_type"] == "image/png"
    assert done["reason"] is None
    # An upload is a task like any other: its id leads to its status
    _, task = cloud.call_api("GET", f"/tasks/{done['task_id']}")
    assert (task["task"], task["status"], task["attempts"]) == ("process_upload", "succeeded", 1)
    thumbnails = done["result"]["thumbnails"]
    assert [(t["size"], t["width"], t["height"]) for t in thumbnails] == [
        (128, 128, 64),
        (512, 512, 256),
    ]
    for thumbnail in thumbnails:
        key = f"thumbnails/{file_id}/{thumbnail['size']}.png"
        assert f"/{key}?" in thumbnail["url"]
        assert "X-Amz-Expires=300" in thumbnail["url"]
        data = cloud.s3.get_object(Bucket=cloud.upload_bucket, Key=key)["Body"].read()
        with Image.open(io.BytesIO(data)) as made:
            assert made.format == "PNG"
            assert made.size == (thumbnail["width"], thumbnail["height"])
    assert dead_letters(cloud) == []


def test_presigned_post_policy_pins_key_size_type_and_expiry(cloud: Cloud) -> None:
    asked_at = datetime.now(UTC)

    authorized = authorize(cloud, "scan.pdf", "application/pdf", 50 * 1024 * 1024)

    file_id = authorized["id"]
    assert authorized["status"] == "awaiting_upload"
    upload = authorized["upload"]
    assert upload["url"] == f"https://{cloud.upload_bucket}.s3.amazonaws.com/"
    assert (upload["expires_in"], upload["max_bytes"]) == (300, 50 * 1024 * 1024)
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
    assert 295 <= (expires - asked_at).total_seconds() <= 305
    record = file_status(cloud, file_id)
    assert (record["status"], record["name"]) == ("awaiting_upload", "scan.pdf")
    assert record["declared_content_type"] == "application/pdf"
    # Nothing is queued and nothing stored until the client sends the file
    assert cloud.receive(cloud.heavy_queue_url) == []
    assert keys(cloud) == []


def test_a_file_put_straight_into_the_bucket_reaches_the_worker(cloud: Cloud) -> None:
    photo = jpeg(1024, 2048)
    authorized = authorize(cloud, "portrait.jpg", "image/jpeg", len(photo))

    put_as_client(cloud, authorized, photo)
    [handled] = cloud.run_worker()

    [record] = handled["Records"]
    assert record["eventName"].startswith("ObjectCreated")
    done = file_status(cloud, authorized["id"])
    assert (done["status"], done["content_type"], done["size"]) == (
        "ready",
        "image/jpeg",
        len(photo),
    )
    assert [(t["width"], t["height"]) for t in done["result"]["thumbnails"]] == [
        (64, 128),
        (256, 512),
    ]
    assert keys(cloud, "thumbnails/") == [
        f"thumbnails/{authorized['id']}/128.png",
        f"thumbnails/{authorized['id']}/512.png",
    ]


def test_processing_the_same_object_again_overwrites_the_same_record_and_thumbnails(
    cloud: Cloud,
) -> None:
    _, accepted = upload(cloud, "a.png", "image/png", png(300, 300))
    [event] = cloud.receive(cloud.heavy_queue_url)
    cloud.sqs.change_message_visibility(
        QueueUrl=cloud.heavy_queue_url, ReceiptHandle=event["ReceiptHandle"], VisibilityTimeout=0
    )
    cloud.run_worker()
    first = file_status(cloud, accepted["id"])

    # S3 delivers at least once: the same notification again
    cloud.sqs.send_message(QueueUrl=cloud.heavy_queue_url, MessageBody=event["Body"])
    cloud.run_worker()

    again = file_status(cloud, accepted["id"])
    assert again["status"] == "ready"
    # One task for both deliveries: done once, not again
    assert {k: v for k, v in again.items() if k != "result"} == {
        k: v for k, v in first.items() if k != "result"
    }
    assert len(keys(cloud, "thumbnails/")) == 2
    assert dead_letters(cloud) == []


def test_a_csv_file_gets_the_same_summary_as_process(cloud: Cloud) -> None:
    data = b"city,temp,rain\nLyon,12.5,yes\nOslo,-3,\nLyon,,no\nRome,21.5,\n"

    _, accepted = upload(cloud, "weather.csv", "text/csv", data)
    cloud.run_worker()

    done = file_status(cloud, accepted["id"])
    assert (done["status"], done["content_type"]) == ("ready", "text/csv")
    summary = done["result"]["summary"]
    assert summary["records"] == 4
    temp = summary["fields"]["temp"]
    assert (temp["count"], temp["nulls"], temp["min"], temp["max"]) == (3, 1, -3, 21.5)
    assert summary["fields"]["city"]["top"][0] == ["Lyon", 2]
    assert summary["fields"]["rain"]["nulls"] == 2
    assert done["result"]["summary_truncated"] is False


def test_a_json_dataset_is_summarised(cloud: Cloud) -> None:
    data = json.dumps([{"n": 1, "s": "a"}, {"n": 3, "s": "b"}]).encode()

    _, accepted = upload(cloud, "data.json", "application/json", data)
    cloud.run_worker()

    done = file_status(cloud, accepted["id"])
    assert (done["status"], done["content_type"]) == ("ready", "application/json")
    assert done["result"]["summary"]["fields"]["n"]["mean"] == 2


@pytest.mark.parametrize(
    ("content_type", "data", "code", "reason"),
    [
        ("text/csv", b"hello world\nthis is not, a table\nat all\n", "invalid_data", "not CSV: "),
        (
            "text/csv",
            b"a,b,c\n1,2,3\n4,5\n",
            "invalid_data",
            "not CSV: row 3 has 2 fields, the header has 3",
        ),
        ("text/csv", b"a,b\n" + b"9" * 400 + b",1\n", "invalid_data", "too large to summarise"),
        (
            "text/csv",
            b"%PDF-1.7 not a table",
            "file_mismatch",
            "Declared text/csv, but the content is application/pdf",
        ),
        (
            "text/csv",
            b"\x00\x01 binary",
            "file_mismatch",
            "but the content is application/octet-stream",
        ),
        (
            "application/json",
            b'{"not": "a list"}',
            "invalid_data",
            "must be a list of objects, not an object",
        ),
        ("application/json", b"[1, 2]", "invalid_data", "item 0 is not"),
        ("application/json", b"[{oops", "invalid_data", "not valid JSON"),
        (
            "application/pdf",
            b"just some text",
            "file_mismatch",
            "Declared application/pdf, but the content is",
        ),
    ],
)
def test_a_bad_data_file_is_failed_with_its_reason_but_not_dead_lettered(
    cloud: Cloud, content_type: str, data: bytes, code: str, reason: str
) -> None:
    _, accepted = upload(cloud, "data", content_type, data)

    [handled] = cloud.run_worker()

    done = file_status(cloud, accepted["id"])
    assert done["status"] == "failed"
    assert done["reason"]["code"] == code
    assert reason in done["reason"]["message"]
    assert done["result"]["summary"] is None
    # The task says the same: failed, with the public reason
    _, task = cloud.call_api("GET", f"/tasks/{done['task_id']}")
    assert (task["status"], task["reason"]) == ("failed", done["reason"])
    # The user's mistake, shown on the file: no retry, and no operator paged
    assert "Records" in handled
    assert cloud.receive(cloud.heavy_queue_url) == []
    assert dead_letters(cloud) == []


def test_an_image_bomb_is_refused_without_thumbnails_and_not_dead_lettered(cloud: Cloud) -> None:
    # 10000 x 10000 one-bit pixels: about 12 KB on disk, 100 megapixels decoded
    bomb = png(10_000, 10_000, mode="1")
    assert len(bomb) < 64 * 1024
    authorized = authorize(cloud, "innocent.png", "image/png", len(bomb))
    put_as_client(cloud, authorized, bomb)

    handled = cloud.run_worker()

    assert len(handled) == 1  # handled once: not retried
    done = file_status(cloud, authorized["id"])
    assert done["status"] == "failed"
    assert done["reason"] == {
        "code": "image_too_large",
        "message": "The image has more than 40000000 pixels.",
    }
    assert done["result"]["thumbnails"] == []
    assert keys(cloud, "thumbnails/") == []
    # Anyone can upload one: the user reads why, no operator is paged
    assert dead_letters(cloud) == []
    assert cloud.receive(cloud.heavy_queue_url) == []


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (png(400, 400)[:200], "image_unreadable", "The image could not be decoded."),
        (
            b"GIF89a but not really",
            "file_mismatch",
            "Declared image/png, but the content is image/gif.",
        ),
        (
            b"name,age\nann,3\n",
            "file_mismatch",
            "Declared image/png, but the content is text/csv.",
        ),
    ],
    ids=["truncated", "another-image-type", "not-an-image"],
)
def test_an_image_that_does_not_decode_as_declared_is_failed_not_dead_lettered(
    cloud: Cloud, data: bytes, code: str, message: str
) -> None:
    _, accepted = upload(cloud, "x.png", "image/png", data)

    handled = cloud.run_worker()

    assert len(handled) == 1
    done = file_status(cloud, accepted["id"])
    assert done["status"] == "failed"
    assert done["reason"] == {"code": code, "message": message}
    assert dead_letters(cloud) == []
    assert keys(cloud, "thumbnails/") == []


def test_an_object_the_api_did_not_accept_is_dead_lettered(cloud: Cloud) -> None:
    # Only the API's role may put under uploads/, and it makes the record first
    file_id = uuid.uuid4().hex

    cloud.s3.put_object(Bucket=cloud.upload_bucket, Key=f"uploads/{file_id}", Body=b"hello")
    cloud.run_worker()

    [dead] = dead_letters(cloud)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert f"no record for file {file_id}" in reason
    assert cloud.call_api("GET", f"/files/{file_id}", as_user=ADMIN)[0] == 404


def test_a_file_past_its_upload_is_never_processed_again(cloud: Cloud) -> None:
    # A presigned POST stays usable for five minutes: the client posts a second object
    first = b"city,temp\nLyon,12\n"
    authorized = authorize(cloud, "data.csv", "text/csv", 1000)
    put_as_client(cloud, authorized, first)
    cloud.run_worker()
    done = file_status(cloud, authorized["id"])

    put_as_client(cloud, authorized, b"name,age\nann,3\nbob,4\n")
    handled = cloud.run_worker()

    assert len(handled) == 1  # the second notification, acknowledged
    again = file_status(cloud, authorized["id"])
    assert again == done
    assert again["sha256"] == hashlib.sha256(first).hexdigest()
    # The second object was a task of its own, which found the file taken and did nothing
    tasks = task_rows(cloud)
    assert len(tasks) == 2
    assert {t["status"]["S"] for t in tasks} == {"succeeded"}
    assert dead_letters(cloud) == []


def test_a_file_is_its_uploaders_only(cloud: Cloud) -> None:
    _, accepted = upload(cloud, "mine.txt", "text/plain", b"hello")

    assert cloud.call_api("GET", f"/files/{accepted['id']}", as_user=BOB)[0] == 404
    assert cloud.call_api("GET", f"/files/{accepted['id']}", as_user=ADMIN)[0] == 200


def test_uploads_count_against_a_daily_byte_quota(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_BYTES_PER_USER_PER_DAY", str(1024 * 1024))
    reset_caches()
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
    assert len(file_records()) == 3


def test_events_for_keys_outside_uploads_are_dead_lettered_with_the_reason(cloud: Cloud) -> None:
    # The bucket's filter keeps these off the queue; a hand-made event shows the worker's check
    event = {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": cloud.upload_bucket},
                    "object": {"key": "thumbnails%2Fsomething%2F128.png", "size": 3},
                },
            }
        ]
    }
    cloud.sqs.send_message(QueueUrl=cloud.heavy_queue_url, MessageBody=json.dumps(event))

    cloud.run_worker()

    [dead] = dead_letters(cloud)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert "'thumbnails/something/128.png' is not under uploads/" in reason


def test_s3_test_event_is_acknowledged(cloud: Cloud) -> None:
    notify_uploads(cloud.s3, cloud.heavy_queue_arn)

    [handled] = cloud.run_worker()

    assert handled["Event"] == "s3:TestEvent"
    assert cloud.receive(cloud.heavy_queue_url) == []
    assert dead_letters(cloud) == []


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


def test_a_file_s3_would_not_take_is_503_and_leaves_nothing_behind(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPLOAD_BUCKET_NAME", "no-such-bucket")
    reset_caches()

    status, answer = upload(cloud, "x.txt", "text/plain", b"hello")

    # Retry-able as it is: no record, and the quota given back
    assert status == 503, answer
    assert file_records() == []
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
    assert file_records() == []
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
    assert file_records() == []


def test_presign_requests_are_json_only(cloud: Cloud) -> None:
    body, header = multipart(("file", "x.png", "image/png", b"x"))
    assert cloud.call_api("POST", "/uploads", body, content_type=header)[0] == 415


def test_content_types_are_matched_without_case(cloud: Cloud) -> None:
    authorized = authorize(cloud, "x.png", " Image/PNG", 10)
    assert authorized["upload"]["fields"]["Content-Type"] == "image/png"


def test_unknown_files_are_404_and_bad_ids_422(cloud: Cloud) -> None:
    assert cloud.call_api("GET", f"/files/{'0' * 32}")[0] == 404
    assert cloud.call_api("GET", "/files/not-an-id")[0] == 422
