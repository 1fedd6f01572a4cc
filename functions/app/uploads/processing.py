"""What the worker does with an uploaded file: hash it, find out what it is from its bytes, and
make thumbnails (images) or a summary (data files), then record the outcome on the file.

Failures, and where they go:

- The file is not what its owner said (a CSV that is not a table, JSON that is not a list of
  objects, a PDF that is text): the record says "failed" and why, and the message is done. It is
  the user's mistake, for the user to read in GET /files/{id}; retrying cannot help, and
  dead-lettering it would page an operator who cannot help either.
- An image the decoder refuses (a decompression bomb, a truncated or corrupt file, bytes that are
  not the image type they claim): the record says "failed" and why, and the message goes to the
  dead-letter queue as a permanent failure, never retried. These are how attacks on image
  decoders look: an operator should see them.
- An object that is gone, too large, outside uploads/ or in another bucket: permanent as well;
  none of these can happen through the API, so someone should look.
- Anything else (S3 or DynamoDB unavailable, a timeout) is raised as it is: the message is
  retried, and processing again overwrites the same record and thumbnails.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.uploads import policy
from app.uploads.datafiles import MAX_JSON_BYTES, DataFileError, summarize_csv, summarize_json
from app.uploads.keys import NotAnUploadKeyError, file_id_of, thumbnail_key
from app.uploads.records import FileResult, FileStore, ThumbnailInfo
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
    error: str | None = None
    #: The failure also goes to the dead-letter queue (see the module's docstring).
    dead_letter: bool = False


def process_upload(event: ObjectCreated, store: FileStore | None = None) -> Outcome:
    """Process the object an S3 event announces; raises PermanentTaskError for what must be
    dead-lettered, after recording it on the file."""
    if event.bucket != bucket_name():
        raise PermanentTaskError(f"object in bucket {event.bucket[:100]!r}, not the upload bucket")
    try:
        file_id = file_id_of(event.key)
    except NotAnUploadKeyError as exc:
        raise PermanentTaskError(str(exc)) from None
    store = store or FileStore()
    record = store.get(file_id)
    if record is None:
        # The API writes the record before the object exists; this object came another way.
        logger.warning("no record for file %s: creating one", file_id)
    declared = record.declared_content_type if record else None
    store.start_processing(file_id)
    try:
        with download(event.bucket, event.key, MAX_PROCESSED_BYTES) as file:
            outcome = examine(file_id, file, declared)
            store.finish(
                file_id,
                size=file.size,
                sha256=file.sha256,
                content_type=outcome.content_type,
                result=outcome.result if outcome.error is None else None,
                error=outcome.error,
            )
    except (ObjectGoneError, ObjectTooLargeError) as exc:
        store.finish(file_id, size=None, sha256=None, content_type=None, error=str(exc))
        raise PermanentTaskError(f"file {file_id}: {exc}") from None
    if outcome.error:
        logger.warning("file %s failed: %s", file_id, outcome.error)
        if outcome.dead_letter:
            raise PermanentTaskError(f"file {file_id}: {outcome.error}")
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
        return Outcome(sniffed, error=f"declared {declared}, but the content is {sniffed}")
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

    if declared in policy.IMAGE_TYPES and sniffed != declared:
        return Outcome(
            sniffed, error=f"declared {declared}, but the content is {sniffed}", dead_letter=True
        )
    if not _compatible(declared, sniffed):
        return Outcome(sniffed, error=f"declared {declared}, but the content is {sniffed}")
    try:
        thumbnails = make_thumbnails(file.file, sniffed)
    except ImageRejectedError as exc:
        return Outcome(sniffed, error=f"image refused: {exc}", dead_letter=True)
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
    except DataFileError as exc:
        return Outcome(sniffed, error=str(exc))
    # The parser had the last word: a table the sniffer took for plain text is a table.
    return Outcome(kind, FileResult(summary=summary.summary, summary_truncated=summary.truncated))
