"""What the worker does with an uploaded file: hash it, find out what it is from its bytes, and
make thumbnails (images) or a summary (data files), then record the outcome on the file.

Failures, and where they go:

- The file is not what its owner said or cannot be processed (a CSV that is not a table, JSON
  that is not a list of objects, a number no float holds, a PDF that is text, an image the
  decoder refuses: a decompression bomb, a truncated or corrupt file): the record says "failed"
  with a public reason, and the message is done (a rejection: counted, never retried, never
  dead-lettered). It is the user's to fix, for them to read in GET /files/{id}; paging an
  operator would not help.
- An object that is gone, too large, outside uploads/, in another bucket, or without the record
  the API makes before any upload: permanent. None of these can happen through the API, so
  someone should look: the message goes to the dead-letter queue.
- A file already processed (its presigned POST used again within its five minutes): ignored.
- Anything else (S3 or DynamoDB unavailable, a timeout) is raised as it is: the message is
  retried, and processing again overwrites the same record and thumbnails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.data_summary import InvalidDataError
from app.uploads import policy
from app.uploads.datafiles import MAX_JSON_BYTES, DataFileError, summarize_csv, summarize_json
from app.uploads.keys import NotAnUploadKeyError, file_id_of, thumbnail_key
from app.uploads.records import FileRecordMissingError, FileResult, FileStore, ThumbnailInfo
from app.uploads.sniff import OCTET_STREAM, SAMPLE_BYTES, sniff
from app.uploads.storage import (
    Download,
    ObjectGoneError,
    ObjectTooLargeError,
    bucket_name,
    download,
    put_thumbnail,
)
from offload import PermanentTaskError
from offload.reasons import Reason

if TYPE_CHECKING:
    from app.uploads.events import ObjectCreated

logger = logging.getLogger(__name__)

#: No upload path lets a larger object in; one that is larger was not put there by us.
MAX_PROCESSED_BYTES = policy.MAX_PRESIGNED_BYTES
TEXT_TYPES = policy.DATA_TYPES | {"text/plain"}


@dataclass(frozen=True)
class Outcome:
    content_type: str
    result: FileResult = field(default_factory=FileResult)
    #: Why the file failed (public: its owner reads it); None when it is ready.
    reason: Reason | None = None


def mismatch(declared: str | None, sniffed: str) -> Reason:
    return Reason(
        code="file_mismatch", message=f"Declared {declared}, but the content is {sniffed}."
    )


def process_upload(event: ObjectCreated, store: FileStore | None = None) -> Outcome | None:
    """Process the object an S3 event announces and record the outcome on its file. None when
    the file was already processed; PermanentTaskError for what must be dead-lettered."""
    if event.bucket != bucket_name():
        raise PermanentTaskError(f"object in bucket {event.bucket[:100]!r}, not the upload bucket")
    try:
        file_id = file_id_of(event.key)
    except NotAnUploadKeyError as exc:
        raise PermanentTaskError(str(exc)) from None
    store = store or FileStore()
    record = store.get(file_id)
    if record is None:
        raise PermanentTaskError(f"no record for file {file_id}: not uploaded through the API")
    try:
        claimed = store.start_processing(file_id, event.version)
    except FileRecordMissingError as exc:
        raise PermanentTaskError(str(exc)) from None
    if not claimed:
        logger.warning("file %s is past its upload (%s): object ignored", file_id, record.status)
        return None
    try:
        with download(event.bucket, event.key, MAX_PROCESSED_BYTES) as file:
            outcome = examine(file_id, file, record.declared_content_type)
            store.finish(
                file_id,
                size=file.size,
                sha256=file.sha256,
                content_type=outcome.content_type,
                result=outcome.result if outcome.reason is None else None,
                reason=outcome.reason,
            )
    except (ObjectGoneError, ObjectTooLargeError) as exc:
        store.finish(
            file_id,
            size=None,
            sha256=None,
            content_type=None,
            reason=Reason(code="file_unavailable", message="The uploaded file could not be read."),
        )
        raise PermanentTaskError(f"file {file_id}: {exc}") from None
    if outcome.reason is not None:
        logger.warning("file %s failed: %s", file_id, outcome.reason.code)
    else:
        logger.info("file %s is ready (%s)", file_id, outcome.content_type)
    return outcome


def examine(file_id: str, file: Download, declared: str | None) -> Outcome:
    """Decide what the file is and do the work its type calls for."""
    complete = file.size <= MAX_JSON_BYTES
    file.file.seek(0)
    # Small enough files are sniffed whole: only then can JSON be told from text.
    sample = file.file.read() if complete else file.file.read(SAMPLE_BYTES)
    sniffed = sniff(sample, complete=complete)
    if sniffed in policy.IMAGE_TYPES or declared in policy.IMAGE_TYPES:
        return _image(file_id, file, declared, sniffed)
    whole = sample if complete else None
    if not _compatible(declared, sniffed):
        if declared in policy.DATA_TYPES and sniffed in TEXT_TYPES:
            # Text that was meant to be data: the parser can say what is wrong with it.
            return _data(file, declared, whole, sniffed)
        return Outcome(sniffed, reason=mismatch(declared, sniffed))
    if sniffed in policy.DATA_TYPES:
        return _data(file, sniffed, whole, sniffed)
    return Outcome(sniffed)


def _compatible(declared: str | None, sniffed: str) -> bool:
    if declared in (None, OCTET_STREAM, sniffed):
        return True
    # A table or a JSON document is plain text too.
    return declared == "text/plain" and sniffed in policy.DATA_TYPES


def _image(file_id: str, file: Download, declared: str | None, sniffed: str) -> Outcome:
    from app.uploads.images import ImageRejectedError, make_thumbnails

    if (declared in policy.IMAGE_TYPES and sniffed != declared) or not _compatible(
        declared, sniffed
    ):
        return Outcome(sniffed, reason=mismatch(declared, sniffed))
    try:
        thumbnails = make_thumbnails(file.file, sniffed)
    except ImageRejectedError as exc:
        logger.warning("image of file %s refused: %s", file_id, exc)
        return Outcome(sniffed, reason=exc.reason)
    stored = []
    for thumbnail in thumbnails:
        # Same key for the same file and size: processing again overwrites, never adds.
        key = thumbnail_key(file_id, thumbnail.size, thumbnail.extension)
        put_thumbnail(key, thumbnail)
        stored.append(
            ThumbnailInfo(
                size=thumbnail.size,
                width=thumbnail.width,
                height=thumbnail.height,
                key=key,
                content_type=thumbnail.content_type,
            )
        )
    return Outcome(sniffed, FileResult(thumbnails=stored))


def _data(file: Download, kind: str, whole: bytes | None, sniffed: str) -> Outcome:
    try:
        if kind == "text/csv":
            summary = summarize_csv(file.file)
        elif whole is None:
            raise DataFileError(f"JSON files are summarised up to {MAX_JSON_BYTES} bytes")
        else:
            summary = summarize_json(whole)
    except InvalidDataError as exc:
        return Outcome(sniffed, reason=Reason(code="invalid_data", message=str(exc)[:300]))
    # The parser had the last word: a table the sniffer took for plain text is a table.
    return Outcome(kind, FileResult(summary=summary.summary, summary_truncated=summary.truncated))
