"""A request body's length as the local servers read it: from Content-Length, or a clear 400.

RFC 9112 (section 6.3): a Content-Length that is not a number, or several that differ, leaves
the message's end unknown; the request is refused and its connection closed. A list of the same
number repeated (`42, 42`, or the header twice) is one length. Without the check, `int()` of a
word ended the handler with no answer, and a negative length read until the client hung up.
"""

from __future__ import annotations

from collections.abc import Sequence


class ContentLengthError(ValueError):
    """Raise when a request's Content-Length does not give one length in bytes."""


def content_length(values: Sequence[str] | None) -> int:
    """The body's length from every Content-Length header of a request (0 when there is none)."""
    lengths = {value.strip() for header in values or () for value in header.split(",")}
    if not lengths:
        return 0
    if len(lengths) > 1:
        several = ", ".join(sorted(lengths))
        raise ContentLengthError(f"Content-Length gives several lengths: {several}")
    (length,) = lengths
    # Digits only: int() would also take a sign, spaces inside or "1_000".
    if not (length.isascii() and length.isdigit()):
        raise ContentLengthError(f"Content-Length {length!r} is not a length in bytes")
    return int(length)
