"""Object keys in the upload bucket. Every key is made by the server from a generated id: a
client's filename never reaches a key, so it cannot traverse, collide or overwrite."""

from __future__ import annotations

import re
import uuid

UPLOAD_PREFIX = "uploads/"
THUMBNAIL_PREFIX = "thumbnails/"

_FILE_ID = re.compile(r"^[0-9a-f]{32}$")
#: For path parameters: the same shape the ids are made in.
FILE_ID_PATTERN = _FILE_ID.pattern


class NotAnUploadKeyError(ValueError):
    """Raise when an object key is not one this application gave out for an upload."""


def new_file_id() -> str:
    return uuid.uuid4().hex


def upload_key(file_id: str) -> str:
    return f"{UPLOAD_PREFIX}{file_id}"


def thumbnail_key(file_id: str, sha256: str, size: int) -> str:
    """Under the digest of the object they were made from: two objects put under one key are
    examined apart, and the slower examination of an older one cannot overwrite the thumbnails
    of the newer one that its file's record links to. PNG whatever the source
    (app.uploads.images)."""
    return f"{THUMBNAIL_PREFIX}{file_id}/{sha256}/{size}.png"


def file_id_of(key: str) -> str:
    """The file id in `uploads/<id>`; anything else is refused, with the reason."""
    if not key.startswith(UPLOAD_PREFIX):
        raise NotAnUploadKeyError(f"object {key[:200]!r} is not under {UPLOAD_PREFIX}")
    file_id = key[len(UPLOAD_PREFIX) :]
    if not _FILE_ID.match(file_id):
        raise NotAnUploadKeyError(f"object {key[:200]!r} is not named by a file id")
    return file_id
