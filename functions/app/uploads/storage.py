"""The upload bucket: files in under uploads/, thumbnails out under thumbnails/, and the
presigned POSTs and links that let clients reach them without passing through a Lambda."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from app.uploads import policy
from app.uploads.keys import thumbnail_key, upload_key

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

    from app.uploads.files import Thumbnail

#: A downloaded file stays in memory up to this size, then moves to /tmp.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024
CHUNK_BYTES = 1024 * 1024
#: What S3 answers a conditional delete when the object is another one now, or none.
_NOT_THERE = frozenset({"PreconditionFailed", "412", "NoSuchKey", "404"})


class ObjectGoneError(LookupError):
    """Raise when an upload announced by S3 is no longer in the bucket."""


class ObjectTooLargeError(ValueError):
    """Raise when an object is larger than any upload this application accepts."""


@dataclass(frozen=True)
class Download:
    """An object's bytes (spooled: memory, then /tmp), with their size and SHA-256."""

    file: IO[bytes]
    size: int
    sha256: str


class UploadBucket:
    def __init__(self, name: str, client: Callable[[], S3Client]) -> None:
        self.name = name
        self._client = client

    def put_upload(self, file_id: str, body: IO[bytes], content_type: str) -> None:
        self._client().put_object(
            Bucket=self.name, Key=upload_key(file_id), Body=body, ContentType=content_type
        )

    def presigned_post(self, file_id: str, content_type: str, max_bytes: int) -> dict[str, Any]:
        """A form a client POSTs one file with, straight to S3. S3 itself refuses any other key,
        a body outside [1, max_bytes] or another Content-Type, and any use after expiry."""
        return self._client().generate_presigned_post(
            Bucket=self.name,
            # Exact: never "${filename}", which would let the client name the key.
            Key=upload_key(file_id),
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, min(max_bytes, policy.MAX_PRESIGNED_BYTES)],
            ],
            ExpiresIn=policy.PRESIGNED_POST_EXPIRES_SECONDS,
        )

    def presigned_get(self, key: str) -> str:
        # Signed locally: no call to S3, so a status answer costs no more for images.
        return self._client().generate_presigned_url(
            "get_object",
            Params={"Bucket": self.name, "Key": key},
            ExpiresIn=policy.LINK_EXPIRES_SECONDS,
        )

    @contextmanager
    def download(self, key: str, max_bytes: int) -> Iterator[Download]:
        """Stream an object once: hashed as it arrives, kept for the steps that follow."""
        from botocore.exceptions import ClientError

        try:
            response = self._client().get_object(Bucket=self.name, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise ObjectGoneError(f"{key} is no longer in the bucket") from None
            raise
        if response["ContentLength"] > max_bytes:
            raise ObjectTooLargeError(f"{response['ContentLength']} bytes is over {max_bytes}")
        digest = hashlib.sha256()
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES) as spool:
            for chunk in response["Body"].iter_chunks(CHUNK_BYTES):
                size += len(chunk)
                if size > max_bytes:
                    raise ObjectTooLargeError(f"more than {max_bytes} bytes")
                digest.update(chunk)
                spool.write(chunk)
            spool.seek(0)
            yield Download(file=spool, size=size, sha256=digest.hexdigest())

    def delete_upload(self, file_id: str, etag: str) -> None:
        """Delete the file's object if it is still the one with this ETag: one put after it
        (S3 answers 412) is not this one's to delete, and one already gone (404) is done."""
        from botocore.exceptions import ClientError

        try:
            self._client().delete_object(
                Bucket=self.name, Key=upload_key(file_id), IfMatch=f'"{etag}"'
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") not in _NOT_THERE:
                raise

    def put_thumbnail(self, file_id: str, sha256: str, thumbnail: Thumbnail, data: bytes) -> None:
        # Same key for the same bytes and size: processing again overwrites, never adds.
        self._client().put_object(
            Bucket=self.name,
            Key=thumbnail_key(file_id, sha256, thumbnail.size),
            Body=data,
            ContentType=thumbnail.content_type,
        )

    def thumbnail_link(self, file_id: str, sha256: str, thumbnail: Thumbnail) -> str:
        return self.presigned_get(thumbnail_key(file_id, sha256, thumbnail.size))
