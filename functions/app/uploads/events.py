"""S3 event notifications, as S3 puts them on the task queue. Pure: no I/O.

Shape: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field, ValidationError

#: S3's sequencers differ in length; left-padded with zeros to one width they compare as text
#: (S3's rule: pad the shorter with zeros, then compare lexicographically).
SEQUENCER_WIDTH = 64


class MalformedEventError(ValueError):
    """Raise when an S3 notification lacks the bucket, the key, or what tells its object from
    another put under the same key."""


class UploadedObject(BaseModel):
    """One object put under a key, as S3 announced it: where it stands among the objects put
    there (its sequencer), its ETag and its size."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sequencer: str = Field(pattern=f"^[0-9A-Fa-f]{{1,{SEQUENCER_WIDTH}}}$")
    etag: str = Field(min_length=1, max_length=200)
    size: int = Field(ge=0)

    @property
    def order(self) -> str:
        """Compares as text with the order of any other object of the same key: the greater
        is the later put."""
        return self.sequencer.upper().rjust(SEQUENCER_WIDTH, "0")


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

    def uploaded_object(self) -> UploadedObject:
        """The object announced; MalformedEventError when S3's record lacks its sequencer, ETag
        or size (S3 always writes them for an ObjectCreated event)."""
        try:
            return UploadedObject.model_validate(
                {"sequencer": self.sequencer, "etag": self.etag, "size": self.size}
            )
        except ValidationError as exc:
            fields = sorted({str(error["loc"][0]) for error in exc.errors() if error["loc"]})
            raise MalformedEventError(
                f"S3 event without a valid {', '.join(fields)} for its object"
            ) from None


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
