"""What a file turns out to be: hashed as it downloads, its type found from its bytes, then
thumbnails for an image or a summary for a data file. The `process_upload` task
(app.tasks.uploads) runs this and records the result on the file.

A file that is not what its owner said, or cannot be processed (a CSV that is not a table, JSON
that is not a list of objects, a number no float holds, a PDF that is text, an image the
decoder refuses: a decompression bomb, a truncated or corrupt file), is examined all the same:
the Examination says why, for the task to reject it. Anything else (S3 unavailable, a timeout)
is raised as it is, for the task to be retried.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from app.data_summary import InvalidDataError
from app.uploads import policy
from app.uploads.datafiles import MAX_JSON_BYTES, DataFileError, summarize_csv, summarize_json
from app.uploads.files import FileResult
from app.uploads.sniff import OCTET_STREAM, SAMPLE_BYTES, sniff
from offload.reasons import Reason

if TYPE_CHECKING:
    from app.uploads.files import Thumbnail
    from app.uploads.storage import Download

logger = logging.getLogger(__name__)

#: No upload path lets a larger object in; one that is larger was not put there by us.
MAX_PROCESSED_BYTES = policy.MAX_PRESIGNED_BYTES
TEXT_TYPES = policy.DATA_TYPES | {"text/plain"}


@dataclass(frozen=True)
class Examination:
    content_type: str
    result: FileResult = field(default_factory=FileResult)
    #: Why the file cannot be used (public: its owner reads it); None when it is ready.
    reason: Reason | None = None
    #: Thumbnails made, with their bytes, to be stored.
    thumbnails: list[tuple[Thumbnail, bytes]] = field(default_factory=list)


def mismatch(declared: str | None, sniffed: str) -> Reason:
    return Reason(
        code="file_mismatch", message=f"Declared {declared}, but the content is {sniffed}."
    )


def examine(file_id: str, file: Download, declared: str | None) -> Examination:
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
        return Examination(sniffed, reason=mismatch(declared, sniffed))
    if sniffed in policy.DATA_TYPES:
        return _data(file, sniffed, whole, sniffed)
    return Examination(sniffed)


def _compatible(declared: str | None, sniffed: str) -> bool:
    if declared in (None, OCTET_STREAM, sniffed):
        return True
    # A table or a JSON document is plain text too.
    return declared == "text/plain" and sniffed in policy.DATA_TYPES


def _image(file_id: str, file: Download, declared: str | None, sniffed: str) -> Examination:
    from app.uploads.images import ImageRejectedError, make_thumbnails

    if (declared in policy.IMAGE_TYPES and sniffed != declared) or not _compatible(
        declared, sniffed
    ):
        return Examination(sniffed, reason=mismatch(declared, sniffed))
    try:
        thumbnails = make_thumbnails(file.file, sniffed)
    except ImageRejectedError as exc:
        logger.warning("image of file %s refused: %s", file_id, exc)
        return Examination(sniffed, reason=exc.reason)
    return Examination(
        sniffed, FileResult(thumbnails=[t for t, _ in thumbnails]), thumbnails=thumbnails
    )


def _data(file: Download, kind: str, whole: bytes | None, sniffed: str) -> Examination:
    try:
        if kind == "text/csv":
            summary, truncated = summarize_csv(file.file)
        elif whole is None:
            raise DataFileError(f"JSON files are summarised up to {MAX_JSON_BYTES} bytes")
        else:
            summary, truncated = summarize_json(whole)
    except InvalidDataError as exc:
        return Examination(sniffed, reason=Reason(code="invalid_data", message=str(exc)[:300]))
    # The parser had the last word: a table the sniffer took for plain text is a table.
    return Examination(kind, FileResult(summary=summary, summary_truncated=truncated))
