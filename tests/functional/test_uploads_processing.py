"""The worker's work on an upload, from the bucket's notification: thumbnails, summaries, and a
file that is not what it claims, or one object too many for its owner's daily quota, failed with
a public reason rather than dead-lettered (the user's mistake pages nobody)."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import pytest
from PIL import Image

from app.uploads.storage import UploadBucket
from app.wiring import wiring
from tests.conftest import make_context
from tests.functional.conftest import ALICE, Cloud, reset_caches
from tests.functional.uploads import (
    authorize,
    dead_letters,
    file_status,
    jpeg,
    keys,
    png,
    put_as_client,
    upload,
)


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
        # Under the digest of the object they were made from
        key = f"thumbnails/{file_id}/{done['sha256']}/{thumbnail['size']}.png"
        assert f"/{key}?" in thumbnail["url"]
        assert "X-Amz-Expires=300" in thumbnail["url"]
        data = cloud.s3.get_object(Bucket=cloud.upload_bucket, Key=key)["Body"].read()
        with Image.open(io.BytesIO(data)) as made:
            assert made.format == "PNG"
            assert made.size == (thumbnail["width"], thumbnail["height"])
    assert dead_letters(cloud) == []


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
    digest = hashlib.sha256(photo).hexdigest()
    assert keys(cloud, "thumbnails/") == [
        f"thumbnails/{authorized['id']}/{digest}/128.png",
        f"thumbnails/{authorized['id']}/{digest}/512.png",
    ]


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


@pytest.fixture
def authorized(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A daily upload quota of 1 MiB, and a presigned POST for 600 KiB of it (counted when
    signed) used once, its object processed."""
    monkeypatch.setenv("UPLOAD_BYTES_PER_USER_PER_DAY", str(1024 * 1024))
    reset_caches()
    signed = authorize(cloud, "data.csv", "text/csv", 600 * 1024)
    put_as_client(cloud, signed, b"city,temp\nLyon,12\n")
    cloud.run_worker()
    return signed


def test_an_object_past_the_daily_quota_is_deleted_and_its_file_fails_with_the_reason(
    cloud: Cloud, authorized: dict[str, Any]
) -> None:
    # Given a presigned POST for 600 KiB used once
    assert file_status(cloud, authorized["id"])["status"] == "ready"

    # When it is used again for 500 KiB more than the day's quota leaves
    again = b"n\n" + b"1\n" * (250 * 1024)
    put_as_client(cloud, authorized, again)
    handled = cloud.run_worker()

    # Then that object is deleted, and the file says why, with a stable code
    assert len(handled) == 1  # handled once: not retried
    assert keys(cloud, "uploads/") == []
    done = file_status(cloud, authorized["id"])
    assert done["status"] == "failed"
    assert done["reason"] == {
        "code": "upload_quota_exceeded",
        "message": f"Daily limit of {1024 * 1024} bytes uploaded reached: the file was deleted.",
    }
    assert (done["size"], done["sha256"], done["result"]["summary"]) == (len(again), None, None)
    _, task = cloud.call_api("GET", f"/tasks/{done['task_id']}")
    assert (task["status"], task["reason"]) == ("failed", done["reason"])
    # Counted nothing, paged nobody
    assert wiring().upload_quota.used(ALICE.sub) == 600 * 1024
    assert dead_letters(cloud) == []
    assert cloud.receive(cloud.heavy_queue_url) == []


def test_an_object_is_charged_once_however_often_its_task_runs(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.handler import handler

    # Given a presigned POST used twice, the first object processed
    authorized = authorize(cloud, "data.csv", "text/csv", 1000)
    put_as_client(cloud, authorized, b"city,temp\nLyon,12\n")
    cloud.run_worker()
    again = b"name,age\nann,3\n"
    put_as_client(cloud, authorized, again)
    [message] = cloud.receive(cloud.heavy_queue_url)

    # When the second object's task fails once S3 is asked for it (after it was charged), and
    # runs again
    download = UploadBucket.download

    def unavailable(*args: object, **kwargs: object) -> None:
        raise ConnectionError("S3 did not answer")

    monkeypatch.setattr(UploadBucket, "download", unavailable)
    event = cloud.sqs_event([message], cloud.heavy_queue_arn)
    assert handler(event, make_context())["batchItemFailures"]
    assert file_status(cloud, authorized["id"])["status"] == "processing"
    monkeypatch.setattr(UploadBucket, "download", download)
    retried = message | {"Attributes": message["Attributes"] | {"ApproximateReceiveCount": "2"}}
    handler(cloud.sqs_event([retried], cloud.heavy_queue_arn), make_context())

    # Then the object is processed, and counted once
    done = file_status(cloud, authorized["id"])
    assert (done["status"], done["sha256"]) == ("ready", hashlib.sha256(again).hexdigest())
    assert wiring().upload_quota.used(ALICE.sub) == 1000 + len(again)


def test_an_object_past_the_quota_is_deleted_only_while_it_is_the_one_in_the_bucket(
    cloud: Cloud, authorized: dict[str, Any]
) -> None:
    # Given a presigned POST for 600 KiB used once, then for 500 KiB more than the quota
    # leaves, then again for a few bytes before the worker reached the second
    put_as_client(cloud, authorized, b"n\n" + b"1\n" * (250 * 1024))
    [too_much] = cloud.receive(cloud.heavy_queue_url)
    last = b"name,age\nann,3\n"
    put_as_client(cloud, authorized, last)
    [small] = cloud.receive(cloud.heavy_queue_url)

    # When the object past the quota is taken up
    cloud.sqs.change_message_visibility(
        QueueUrl=cloud.heavy_queue_url,
        ReceiptHandle=too_much["ReceiptHandle"],
        VisibilityTimeout=0,
    )
    cloud.run_worker()

    # Then the file fails for it, but the newer object that replaced it stays
    assert file_status(cloud, authorized["id"])["reason"]["code"] == "upload_quota_exceeded"
    stored = cloud.s3.get_object(Bucket=cloud.upload_bucket, Key=f"uploads/{authorized['id']}")
    assert stored["Body"].read() == last
    # And its own notification makes the record describe it
    cloud.sqs.change_message_visibility(
        QueueUrl=cloud.heavy_queue_url, ReceiptHandle=small["ReceiptHandle"], VisibilityTimeout=0
    )
    cloud.run_worker()
    done = file_status(cloud, authorized["id"])
    assert (done["status"], done["sha256"]) == ("ready", hashlib.sha256(last).hexdigest())
    assert wiring().upload_quota.used(ALICE.sub) == 600 * 1024 + len(last)
    assert dead_letters(cloud) == []
