"""Uploaded files: the bucket's ObjectCreated notification, read as a `process_upload` task.

S3 puts its notifications on the task queue itself, not as envelopes: S3UploadReader turns each
into the task's envelope, with an id made from the object's bucket, key, sequencer and ETag, so
that S3 delivering the same notification twice is one task, and each object put under a key is
a task of its own. From there an upload is a task like any other: a row with its status,
idempotency, backoff, metrics, GET /tasks/{id}.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING

from app.quotas import QuotaExceededError
from app.uploads.events import (
    MalformedEventError,
    ObjectCreated,
    UploadedObject,
    is_object_created,
    object_created_events,
)
from app.uploads.keys import NotAnUploadKeyError, file_id_of
from app.wiring import wiring
from offload import Envelope, PermanentTaskError, TaskRejectedError, current_task, task
from offload.reasons import Reason

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
            uploaded = event.uploaded_object()
        except (NotAnUploadKeyError, MalformedEventError) as exc:
            raise PermanentTaskError(str(exc)) from None
        file = self._files.get(file_id)
        if file is None:
            # Only the API may put under uploads/, and it makes the record first.
            raise PermanentTaskError(f"no record for file {file_id}: not uploaded through the API")
        return Envelope(
            id=upload_task_id(event),
            task="process_upload",
            args=[file_id, uploaded.model_dump()],
            enqueued_at=event.event_time or file.created_at,
            owner=file.owner,
        )


#: Heavy work (files up to 100 MiB, images to decode and resize): a queue and a worker of its
#: own, so quick tasks (email, logs, the index) never wait behind it. The bucket's
#: notifications go to that queue (template.yaml: HeavyTaskQueue).
@task("process_upload", queue="heavy")
def process_upload(file_id: str, uploaded: UploadedObject) -> None:
    """Examine an object put under the file's key and record what it is, unless a newer one was
    taken up (that one's task does it). A file that cannot be used is rejected with the reason
    (after recording it); so is an object past its owner's daily quota, after deleting it."""
    from app.uploads.examination import MAX_PROCESSED_BYTES, examine
    from app.uploads.files import FileRecordMissingError
    from app.uploads.keys import upload_key
    from app.uploads.storage import ObjectGoneError, ObjectTooLargeError

    parts = wiring()
    task_id = current_task().id
    try:
        taken = parts.files.take_up(file_id, uploaded.order, task_id)
    except FileRecordMissingError as exc:
        raise PermanentTaskError(str(exc)) from None
    if not taken.newest:
        logger.info("file %s: a newer object was taken up; this one was overwritten", file_id)
        return
    if taken.chargeable:
        _count_against_quota(file_id, uploaded, taken.file.owner)
    try:
        with parts.bucket.download(upload_key(file_id), MAX_PROCESSED_BYTES) as download:
            found = examine(file_id, download, taken.file.declared_content_type)
            for thumbnail, data in found.thumbnails:
                parts.bucket.put_thumbnail(file_id, download.sha256, thumbnail, data)
            recorded = parts.files.finish(
                file_id,
                uploaded.order,
                size=download.size,
                sha256=download.sha256,
                content_type=found.content_type,
                result=found.result if found.reason is None else None,
                reason=found.reason,
            )
    except ObjectGoneError as exc:
        if not parts.files.take_up(file_id, uploaded.order, task_id).newest:
            # A newer object's task deleted it (past the quota): nothing here to record.
            logger.info("file %s: replaced, then deleted, while taken up", file_id)
            return
        # Nothing else deletes an upload before it expires: an operator should look.
        raise PermanentTaskError(f"file {file_id}: {exc}") from None
    except ObjectTooLargeError as exc:
        # Cannot happen through the API: an operator should look.
        raise PermanentTaskError(f"file {file_id}: {exc}") from None
    if not recorded:
        logger.info("file %s: a newer object was taken up while this one was examined", file_id)
        return
    if found.reason is not None:
        raise TaskRejectedError(found.reason.code, found.reason.message, f"file {file_id}")
    logger.info("file %s is ready (%s)", file_id, found.content_type)


def _count_against_quota(file_id: str, uploaded: UploadedObject, owner: str) -> None:
    """Charge an object after the file's first to its owner's daily upload quota, once. Past
    the quota the object is deleted and the file fails, with a reason its owner reads:
    TaskRejectedError (the user's doing: never retried, never dead-lettered)."""
    parts = wiring()
    try:
        parts.upload_quota.charge(owner, uploaded.size)
    except QuotaExceededError as exc:
        parts.bucket.delete_upload(file_id, uploaded.etag)
        reason = Reason(
            code="upload_quota_exceeded",
            message=f"Daily limit of {exc.limit} {exc.what} reached: the file was deleted.",
        )
        parts.files.finish(
            file_id,
            uploaded.order,
            size=uploaded.size,
            sha256=None,
            content_type=None,
            reason=reason,
        )
        raise TaskRejectedError(reason.code, reason.message, f"file {file_id}: {exc}") from None
    try:
        parts.files.count(file_id, uploaded.order)
    except Exception:
        # Not counted, so a retry charges it again: this charge is taken back.
        parts.upload_quota.refund(owner, uploaded.size)
        raise
