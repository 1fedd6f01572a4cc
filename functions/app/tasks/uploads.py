"""Uploaded files: the bucket's ObjectCreated notification, read as a `process_upload` task.

S3 puts its notifications on the task queue itself, not as envelopes: S3UploadReader turns each
into the task's envelope, with an id made from the object's bucket, key, sequencer and ETag, so
that S3 delivering the same notification twice is one task. From there an upload is a task like
any other: a row with its status, idempotency, backoff, metrics, GET /tasks/{id}.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from app.uploads.events import (
    MalformedEventError,
    ObjectCreated,
    is_object_created,
    object_created_events,
)
from app.uploads.keys import NotAnUploadKeyError, file_id_of
from app.wiring import wiring
from offload import Envelope, PermanentTaskError, TaskRejectedError, current_task, task

if TYPE_CHECKING:
    from app.uploads.files import FileStore
    from offload.readers import Message

logger = logging.getLogger(__name__)

#: Task ids of uploads are UUIDs named from the object version, in this namespace.
_UPLOAD_IDS = uuid.UUID("5d8f8e0c-6b7e-4f0e-9a51-3f2c7b9d1e42")


def upload_task_id(event: ObjectCreated) -> str:
    """The same for every delivery of one notification; another for each object put."""
    name = f"{event.bucket}/{event.key}/{event.sequencer or '-'}/{event.etag or '-'}"
    return uuid.uuid5(_UPLOAD_IDS, name).hex


class S3UploadReader:
    """Messages whose records are S3 ObjectCreated events: each announces one upload."""

    def __init__(self, files: FileStore, bucket: str) -> None:
        self._files = files
        self._bucket = bucket

    def matches(self, message: Message) -> bool:
        return is_object_created(message.body)

    def envelope(self, message: Message) -> Envelope:
        try:
            events = object_created_events(message.body)
        except MalformedEventError as exc:
            raise PermanentTaskError(str(exc)) from None
        if len(events) != 1:
            # S3 puts one record in each message it sends.
            raise PermanentTaskError(f"{len(events)} S3 records in one message, not one")
        [event] = events
        if event.bucket != self._bucket:
            raise PermanentTaskError(
                f"object in bucket {event.bucket[:100]!r}, not the upload bucket"
            )
        try:
            file_id = file_id_of(event.key)
        except NotAnUploadKeyError as exc:
            raise PermanentTaskError(str(exc)) from None
        file = self._files.get(file_id)
        if file is None:
            # Only the API may put under uploads/, and it makes the record first.
            raise PermanentTaskError(f"no record for file {file_id}: not uploaded through the API")
        return Envelope(
            id=upload_task_id(event),
            task="process_upload",
            args=[file_id],
            enqueued_at=event.event_time or file.created_at,
            owner=file.owner,
        )


#: Heavy work (files up to 100 MiB, images to decode and resize): a queue and a worker of its
#: own, so quick tasks (email, logs, the index) never wait behind it. The bucket's
#: notifications go to that queue (template.yaml: HeavyTaskQueue).
@task("process_upload", queue="heavy")
def process_upload(file_id: str) -> None:
    """Examine the uploaded file and record what it is. A file that cannot be used is rejected
    with the reason (after recording it); an object put again after the first was taken up is
    left alone."""
    from app.uploads.examination import MAX_PROCESSED_BYTES, examine
    from app.uploads.files import FileRecordMissingError
    from app.uploads.keys import upload_key
    from app.uploads.storage import ObjectGoneError, ObjectTooLargeError

    parts = wiring()
    try:
        claimed = parts.files.claim(file_id, current_task().id)
    except FileRecordMissingError as exc:
        raise PermanentTaskError(str(exc)) from None
    if not claimed:
        logger.warning("file %s was taken up by another task: this object is ignored", file_id)
        return
    file = parts.files.get(file_id)
    declared = file.declared_content_type if file else None
    try:
        with parts.bucket.download(upload_key(file_id), MAX_PROCESSED_BYTES) as download:
            found = examine(file_id, download, declared)
            for thumbnail, data in found.thumbnails:
                parts.bucket.put_thumbnail(file_id, thumbnail, data)
            parts.files.finish(
                file_id,
                size=download.size,
                sha256=download.sha256,
                content_type=found.content_type,
                result=found.result if found.reason is None else None,
                reason=found.reason,
            )
    except (ObjectGoneError, ObjectTooLargeError) as exc:
        # Neither can happen through the API: an operator should look.
        raise PermanentTaskError(f"file {file_id}: {exc}") from None
    if found.reason is not None:
        raise TaskRejectedError(found.reason.code, found.reason.message, f"file {file_id}")
    logger.info("file %s is ready (%s)", file_id, found.content_type)
