"""S3 event notifications as they arrive on the task queue."""

from __future__ import annotations

from typing import Any

import pytest

from app.uploads.events import (
    MalformedEventError,
    UploadedObject,
    is_object_created,
    object_created_events,
)
from app.uploads.keys import NotAnUploadKeyError, file_id_of


def notification(key: str, event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": event_name,
                "s3": {
                    "bucket": {"name": "uploads-bucket", "arn": "arn:aws:s3:::uploads-bucket"},
                    "object": {
                        "key": key,
                        "size": 12,
                        "eTag": "abc",
                        "sequencer": "0055AED6DCD90281E5",
                    },
                },
            }
        ]
    }


@pytest.mark.parametrize(
    "event_name",
    [
        "ObjectCreated:Put",
        "ObjectCreated:Post",
        "ObjectCreated:Copy",
        "ObjectCreated:CompleteMultipartUpload",
    ],
)
def test_object_created_events_match(event_name: str) -> None:
    assert is_object_created(notification("uploads/x", event_name))


@pytest.mark.parametrize(
    "body",
    [
        notification("uploads/x", "ObjectRemoved:Delete"),
        {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"},
        {"v": 1, "id": "x", "task": "send_email"},
        {"Records": []},
        {"Records": [{"eventSource": "aws:sqs", "eventName": "ObjectCreated:Put"}]},
        {"Records": "nope"},
        [1, 2],
        "text",
        None,
    ],
)
def test_other_bodies_do_not_match(body: Any) -> None:
    assert not is_object_created(body)


@pytest.mark.parametrize(
    ("raw", "decoded"),
    [
        # S3 (and moto) encode keys as quote_plus does: '/' too, and '+' for a space
        ("uploads%2F0123456789abcdef0123456789abcdef", "uploads/0123456789abcdef0123456789abcdef"),
        ("uploads/plain", "uploads/plain"),
        ("a+b%2Bc", "a b+c"),
        ("caf%C3%A9+%281%29.png", "café (1).png"),
    ],
)
def test_keys_are_unquoted(raw: str, decoded: str) -> None:
    [event] = object_created_events(notification(raw))

    assert event.key == decoded
    assert (event.bucket, event.size, event.etag) == ("uploads-bucket", 12, "abc")
    assert event.event_name == "ObjectCreated:Put"


@pytest.mark.parametrize(
    "record",
    [
        {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put"},
        {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"bucket": {}}},
        {
            "eventSource": "aws:s3",
            "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": "b"}, "object": {"key": ""}},
        },
        {
            "eventSource": "aws:s3",
            "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": "b"}, "object": {"key": 5}},
        },
    ],
)
def test_records_without_bucket_or_key_are_malformed(record: dict[str, Any]) -> None:
    with pytest.raises(MalformedEventError):
        object_created_events({"Records": [record]})


def test_an_event_names_its_object_by_sequencer_etag_and_size() -> None:
    [event] = object_created_events(notification("uploads/x"))

    assert event.uploaded_object() == UploadedObject(
        sequencer="0055AED6DCD90281E5", etag="abc", size=12
    )


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"sequencer": None}, "sequencer"),
        ({"sequencer": "not-hex"}, "sequencer"),
        ({"sequencer": "1" * 65}, "sequencer"),
        ({"eTag": None}, "etag"),
        ({"size": None}, "size"),
        ({"size": None, "eTag": None}, "etag, size"),
    ],
)
def test_an_object_without_what_tells_it_from_another_is_malformed(
    changes: dict[str, Any], missing: str
) -> None:
    body = notification("uploads/x")
    obj = body["Records"][0]["s3"]["object"]
    obj.update(changes)
    [event] = object_created_events(body)

    with pytest.raises(MalformedEventError, match=f"without a valid {missing} for its object"):
        event.uploaded_object()


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("0055AED6DCD90281E5", "0055AED6DCD90281E6"),
        # Of different lengths, the shorter is left-padded with zeros first (S3's rule): as
        # plain text "FF" would sort after "0100"
        ("FF", "0100"),
        ("0055aed6dcd90281e5", "0055AED6DCD90281F0"),
    ],
)
def test_the_later_of_two_objects_of_a_key_has_the_greater_order(earlier: str, later: str) -> None:
    def order(sequencer: str) -> str:
        return UploadedObject(sequencer=sequencer, etag="e", size=1).order

    assert order(earlier) < order(later)
    assert order(earlier) == order(earlier.lower())


def test_only_generated_ids_under_uploads_are_upload_keys() -> None:
    file_id = "0123456789abcdef0123456789abcdef"
    assert file_id_of(f"uploads/{file_id}") == file_id
    for key in [
        f"thumbnails/{file_id}/{'0' * 64}/128.png",
        f"payloads/{file_id}.json",
        "uploads/",
        "uploads/../secret",
        f"uploads/{file_id}/extra",
        f"uploads/{file_id.upper()}",
        f"Uploads/{file_id}",
    ]:
        with pytest.raises(NotAnUploadKeyError):
            file_id_of(key)
