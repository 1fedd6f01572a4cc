"""The bucket's notifications as the worker takes them: one task per object, so a repeated
notification is done once and a second object under a taken key does nothing; an object the API
never accepted, or outside uploads/, is dead-lettered; S3's test event is acknowledged."""

from __future__ import annotations

import hashlib
import json
import uuid

from tests.functional.conftest import Cloud, User
from tests.functional.uploads import (
    authorize,
    dead_letters,
    file_status,
    keys,
    png,
    put_as_client,
    upload,
)


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
    tasks = cloud.rows("TASK#")
    assert len(tasks) == 2
    assert {t["status"]["S"] for t in tasks} == {"succeeded"}
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
