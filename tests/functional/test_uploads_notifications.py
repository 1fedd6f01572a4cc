"""The bucket's notifications as the worker takes them: one task per object, so a repeated
notification is done once, and the file's record follows the newest object under its key (S3's
sequencer orders them), however late or concurrent their notifications; an object the API never
accepted, or outside uploads/, is dead-lettered; S3's test event is acknowledged."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import uuid
from typing import Any

import pytest
from PIL import Image

from app.uploads.files import FileStore
from app.wiring import wiring
from tests.conftest import make_context
from tests.functional.conftest import ALICE, Cloud, User
from tests.functional.uploads import (
    authorize,
    dead_letters,
    file_status,
    keys,
    png,
    put_as_client,
    upload,
)

#: How long a test waits for the other thread before it fails (never reached when it works).
WAIT_SECONDS = 60


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


def hold(cloud: Cloud) -> dict[str, Any]:
    """The one notification on the heavy queue, taken off it: delivered later, or never."""
    [message] = cloud.receive(cloud.heavy_queue_url)
    cloud.sqs.delete_message(QueueUrl=cloud.heavy_queue_url, ReceiptHandle=message["ReceiptHandle"])
    return message


def deliver(cloud: Cloud, message: dict[str, Any]) -> None:
    cloud.sqs.send_message(QueueUrl=cloud.heavy_queue_url, MessageBody=message["Body"])


def in_bucket(cloud: Cloud, file_id: str) -> bytes:
    stored = cloud.s3.get_object(Bucket=cloud.upload_bucket, Key=f"uploads/{file_id}")
    data: bytes = stored["Body"].read()
    return data


def thumbnail_sizes(cloud: Cloud, file: dict[str, Any]) -> list[tuple[int, int]]:
    """The (width, height) of each thumbnail the record links to, read from the bucket."""
    sizes = []
    for thumbnail in file["result"]["thumbnails"]:
        key = f"thumbnails/{file['id']}/{file['sha256']}/{thumbnail['size']}.png"
        assert f"/{key}?" in thumbnail["url"]
        data = cloud.s3.get_object(Bucket=cloud.upload_bucket, Key=key)["Body"].read()
        with Image.open(io.BytesIO(data)) as made:
            sizes.append(made.size)
    return sizes


@pytest.mark.parametrize(
    ("content_type", "first", "second"),
    [
        ("image/png", png(300, 300), png(800, 400)),
        ("text/csv", b"city,temp\nLyon,12\n", b"name,age\nann,3\nbob,4\n"),
    ],
    ids=["image", "csv"],
)
def test_a_later_object_under_a_processed_key_is_examined_and_the_record_describes_it(
    cloud: Cloud, content_type: str, first: bytes, second: bytes
) -> None:
    # (Successor of test_a_file_past_its_upload_is_never_processed_again: the second object
    # was left unexamined while the record went on describing the first.)
    # Given a presigned POST used once, its object processed
    authorized = authorize(cloud, "data", content_type, 100_000)
    put_as_client(cloud, authorized, first)
    cloud.run_worker()
    before = file_status(cloud, authorized["id"])
    assert (before["status"], before["sha256"]) == ("ready", hashlib.sha256(first).hexdigest())

    # When it is used again before it expires
    put_as_client(cloud, authorized, second)
    handled = cloud.run_worker()

    # Then the object now in the bucket is examined, by a task of its own, and the record
    # describes it: size, digest, type, summary, thumbnails
    assert len(handled) == 1
    after = file_status(cloud, authorized["id"])
    assert in_bucket(cloud, authorized["id"]) == second
    assert (after["status"], after["reason"]) == ("ready", None)
    assert after["task_id"] != before["task_id"]
    assert (after["size"], after["sha256"], after["content_type"]) == (
        len(second),
        hashlib.sha256(second).hexdigest(),
        content_type,
    )
    if content_type == "text/csv":
        assert after["result"]["summary"]["records"] == 2
        assert set(after["result"]["summary"]["fields"]) == {"name", "age"}
    else:
        assert thumbnail_sizes(cloud, after) == [(128, 64), (512, 256)]
    # Each object counted once: the first as signed, the second as it came
    assert wiring().upload_quota.used(ALICE.sub) == 100_000 + len(second)
    assert dead_letters(cloud) == []


def test_a_notification_older_than_the_object_the_record_describes_changes_nothing(
    cloud: Cloud,
) -> None:
    # Given two objects put with one presigned POST, the later one's notification handled
    # first (S3 does not promise the order its notifications arrive in)
    first, second = b"city,temp\nLyon,12\n", b"name,age\nann,3\n"
    authorized = authorize(cloud, "data.csv", "text/csv", 1000)
    put_as_client(cloud, authorized, first)
    older = hold(cloud)
    put_as_client(cloud, authorized, second)
    cloud.run_worker()
    described = file_status(cloud, authorized["id"])
    assert described["sha256"] == hashlib.sha256(second).hexdigest()

    # When the earlier object's notification arrives after it
    deliver(cloud, older)
    handled = cloud.run_worker()

    # Then it is acknowledged and ignored: the record still describes the object in the bucket
    assert len(handled) == 1
    assert file_status(cloud, authorized["id"]) == described
    assert in_bucket(cloud, authorized["id"]) == second
    assert cloud.receive(cloud.heavy_queue_url) == []
    assert dead_letters(cloud) == []
    # Its own task is done; the file's task is the later object's
    tasks = {t["id"]["S"]: t["status"]["S"] for t in cloud.rows("TASK#")}
    assert tasks.pop(described["task_id"]) == "succeeded"
    assert list(tasks.values()) == ["succeeded"]
    # Overwritten before the worker reached it, the earlier object cost no more than signing
    assert wiring().upload_quota.used(ALICE.sub) == 1000


def test_two_objects_examined_at_once_leave_the_newer_ones_facts(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    from worker.handler import handler

    # Given the older object's task paused between examining its object and recording it (the
    # heavy worker runs two at once)
    first, second = png(300, 300), png(800, 400)
    authorized = authorize(cloud, "photo.png", "image/png", 100_000)
    put_as_client(cloud, authorized, first)
    older = hold(cloud)
    examined, newer_done = threading.Event(), threading.Event()
    finish = FileStore.finish

    def paused(store: FileStore, *args: Any, **kwargs: Any) -> bool:
        if threading.current_thread().name == "older":
            examined.set()
            assert newer_done.wait(WAIT_SECONDS)
        return finish(store, *args, **kwargs)

    monkeypatch.setattr(FileStore, "finish", paused)
    outcomes: list[Any] = []

    def run_older() -> None:
        outcomes.append(handler(cloud.sqs_event([older], cloud.heavy_queue_arn), make_context()))

    thread = threading.Thread(target=run_older, name="older")
    thread.start()
    assert examined.wait(WAIT_SECONDS)

    # When a newer object lands and its task runs to the end meanwhile
    put_as_client(cloud, authorized, second)
    newer = hold(cloud)
    handler(cloud.sqs_event([newer], cloud.heavy_queue_arn), make_context())
    newer_done.set()
    thread.join(WAIT_SECONDS)

    # Then the older task's facts never reach the record: it describes the newer object
    assert outcomes == [{"batchItemFailures": []}]
    done = file_status(cloud, authorized["id"])
    assert (done["status"], done["sha256"]) == ("ready", hashlib.sha256(second).hexdigest())
    assert in_bucket(cloud, authorized["id"]) == second
    # Both were examined, each object's thumbnails under its own digest: the record's are the
    # newer object's
    assert thumbnail_sizes(cloud, done) == [(128, 64), (512, 256)]
    assert len(keys(cloud, "thumbnails/")) == 4
    assert dead_letters(cloud) == []


def test_an_object_the_api_did_not_accept_is_dead_lettered(cloud: Cloud, admin: User) -> None:
    # Only the API's role may put under uploads/, and it makes the record first
    file_id = uuid.uuid4().hex

    cloud.s3.put_object(Bucket=cloud.upload_bucket, Key=f"uploads/{file_id}", Body=b"hello")
    cloud.run_worker()

    [dead] = dead_letters(cloud)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert f"no record for file {file_id}" in reason
    assert cloud.call_api("GET", f"/files/{file_id}", as_user=admin)[0] == 404


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


def test_an_event_without_a_sequencer_is_dead_lettered_with_the_reason(cloud: Cloud) -> None:
    # S3 writes one in every ObjectCreated record: without it, where the object stands among
    # those of its key is unknown
    _, accepted = upload(cloud, "a.txt", "text/plain", b"hello")
    [message] = cloud.receive(cloud.heavy_queue_url)
    cloud.sqs.delete_message(QueueUrl=cloud.heavy_queue_url, ReceiptHandle=message["ReceiptHandle"])
    event = json.loads(message["Body"])
    del event["Records"][0]["s3"]["object"]["sequencer"]
    cloud.sqs.send_message(QueueUrl=cloud.heavy_queue_url, MessageBody=json.dumps(event))

    cloud.run_worker()

    [dead] = dead_letters(cloud)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert "S3 event without a valid sequencer for its object" in reason
    assert file_status(cloud, accepted["id"])["status"] == "uploaded"


def test_s3_test_event_is_acknowledged(cloud: Cloud) -> None:
    # Given the bucket's notification put again (a stack update does), which makes S3 send
    # its test event to the queue
    configured = cloud.s3.get_bucket_notification_configuration(Bucket=cloud.upload_bucket)
    cloud.s3.put_bucket_notification_configuration(
        Bucket=cloud.upload_bucket,
        NotificationConfiguration={"QueueConfigurations": configured["QueueConfigurations"]},
    )

    [handled] = cloud.run_worker()

    assert handled["Event"] == "s3:TestEvent"
    assert cloud.receive(cloud.heavy_queue_url) == []
    assert dead_letters(cloud) == []
