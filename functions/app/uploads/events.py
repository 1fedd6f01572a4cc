"""S3 event notifications, as S3 puts them on the task queue. Pure: no I/O.

Shape: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus


class MalformedEventError(ValueError):
    """Raise when an S3 notification lacks the bucket or the key."""


@dataclass(frozen=True)
class ObjectCreated:
    event_name: str
    bucket: str
    #: Decoded: S3 sends keys URL-encoded with '+' for spaces ('/' encoded too).
    key: str
    size: int | None
    etag: str | None
    #: Orders the events of one key; with the ETag, tells one upload from another to it.
    sequencer: str | None = None
    #: When S3 saw the object arrive.
    event_time: datetime | None = None


def is_object_created(body: Any) -> bool:
    """Every record of the body is an S3 ObjectCreated event (Put, Post, Copy, multipart)."""
    if not isinstance(body, dict):
        return False
    records = body.get("Records")
    return (
        isinstance(records, list)
        and bool(records)
        and all(
            isinstance(r, dict)
            and r.get("eventSource") == "aws:s3"
            and str(r.get("eventName", "")).startswith("ObjectCreated")
            for r in records
        )
    )


def object_created_events(body: dict[str, Any]) -> list[ObjectCreated]:
    return [_event(record) for record in body["Records"]]


def _event(record: dict[str, Any]) -> ObjectCreated:
    try:
        s3 = record["s3"]
        bucket = s3["bucket"]["name"]
        obj = s3["object"]
        raw_key = obj["key"]
    except (KeyError, TypeError):
        raise MalformedEventError("S3 event without a bucket name and object key") from None
    if not isinstance(bucket, str) or not isinstance(raw_key, str) or not raw_key:
        raise MalformedEventError("S3 event with a bucket name or object key that is not text")
    size = obj.get("size")
    etag = obj.get("eTag")
    sequencer = obj.get("sequencer")
    try:
        event_time = datetime.fromisoformat(str(record.get("eventTime", "")).replace("Z", "+00:00"))
    except ValueError:
        event_time = None
    return ObjectCreated(
        event_name=str(record["eventName"]),
        bucket=bucket,
        key=unquote_plus(raw_key),
        size=size if isinstance(size, int) and not isinstance(size, bool) else None,
        etag=etag if isinstance(etag, str) else None,
        sequencer=sequencer if isinstance(sequencer, str) else None,
        event_time=event_time if event_time and event_time.tzinfo else None,
    )
