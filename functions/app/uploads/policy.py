"""What the application accepts as an upload: sizes, media types and how long links live."""

from __future__ import annotations

MiB = 1024 * 1024

#: A file sent through the API. Lambda's synchronous payload is 6 MB and API Gateway sends a
#: binary body base64-encoded (4/3 the size): 4 MiB of file fits with room for the event.
MAX_DIRECT_BYTES = 4 * MiB
#: The multipart request around such a file: boundaries, part headers and the filename.
MAX_DIRECT_REQUEST_BYTES = MAX_DIRECT_BYTES + 64 * 1024
#: A file POSTed straight to S3; S3 enforces it through the signed policy.
MAX_PRESIGNED_BYTES = 100 * MiB

#: A presigned POST is for an upload starting now, not a link to keep: until it expires it can
#: be used again, and each object it puts is one more to examine and to count.
PRESIGNED_POST_EXPIRES_SECONDS = 60
#: Links to thumbnails in a status answer are for showing them at once.
LINK_EXPIRES_SECONDS = 300

IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
DATA_TYPES = frozenset({"text/csv", "application/json"})
ALLOWED_CONTENT_TYPES = IMAGE_TYPES | DATA_TYPES | {"application/pdf", "text/plain"}
#: What a client sends when it does not know: accepted in the API's multipart upload, where the
#: content is sniffed anyway, but never signed into a presigned POST.
UNKNOWN_CONTENT_TYPE = "application/octet-stream"


def normalize_content_type(value: str) -> str:
    """`Image/PNG ` and `image/png` are the same type; parameters are not accepted."""
    return value.strip().lower()
