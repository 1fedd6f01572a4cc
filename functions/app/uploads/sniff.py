"""What a file is, from its bytes. The client's word (a Content-Type, an extension) is never
trusted: it is compared with this, not used instead of it. Pure: no I/O."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re

OCTET_STREAM = "application/octet-stream"
#: How much of a file the text checks look at.
SAMPLE_BYTES = 64 * 1024
#: csv.Sniffer guesses from this much text. Its quote-finding regex is quadratic on hostile
#: input (commas and quotes without end: 2 s for 16 KiB here); 4 KiB keeps that near 0.1 s.
CSV_SNIFF_CHARS = 4 * 1024
CSV_DELIMITERS = ",;\t|"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
)
# Text may hold tabs, line breaks and form feeds; any other control character marks binary data.
_BINARY = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class NotCsvError(ValueError):
    """Raise when text is not a table: no delimiter, or rows of different widths."""


def sniff(sample: bytes, *, complete: bool) -> str:
    """The media type of a file whose first bytes are `sample`.

    `complete` says `sample` is the whole file: JSON is only recognised then, since a document
    cannot be known to parse from its beginning.
    """
    for magic, content_type in _MAGIC:
        if sample.startswith(magic):
            return content_type
    if len(sample) >= 12 and sample[:4] == b"RIFF" and sample[8:12] == b"WEBP":
        return "image/webp"
    text = decode_text(sample, complete=complete)
    if text is None:
        return OCTET_STREAM
    if complete and _is_json_document(text):
        return "application/json"
    try:
        csv_dialect(text, complete=complete)
    except NotCsvError:
        return "text/plain"
    return "text/csv"


def decode_text(sample: bytes, *, complete: bool) -> str | None:
    """`sample` as UTF-8 text (a BOM dropped), or None when it is not text."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        # Not final when the sample was cut: it may end inside a multi-byte character.
        text = decoder.decode(sample, final=complete)
    except UnicodeDecodeError:
        return None
    if _BINARY.search(text):
        return None
    return text


def _is_json_document(text: str) -> bool:
    # Only arrays and objects: "42" or "true" parse as JSON but a text file saying so is text.
    if text.lstrip()[:1] not in ("[", "{"):
        return False
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return False
    return True


def csv_dialect(text: str, *, complete: bool) -> type[csv.Dialect]:
    """The dialect of CSV text, checked on its first rows; NotCsvError says why it is not."""
    if not complete:
        # The last line of a cut sample is partial.
        text = text[: text.rfind("\n") + 1]
    # The first rows decide; a whole file is checked row by row when it is summarised.
    text = _whole_lines(text, SAMPLE_BYTES)
    if not text.strip():
        raise NotCsvError("there is no complete line of text")
    dialect: type[csv.Dialect]
    try:
        dialect = csv.Sniffer().sniff(_whole_lines(text, CSV_SNIFF_CHARS), CSV_DELIMITERS)
    except csv.Error:
        # The sniffer gives up on rows of different widths too; read them as plain
        # comma-separated values so that the reason names the row at fault.
        if "," not in text.partition("\n")[0]:
            raise NotCsvError("no column delimiter found (one of , ; tab |)") from None
        dialect = csv.excel
    try:
        # newline="" lets the reader see line breaks inside quoted fields as part of them.
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), dialect) if row]
    except csv.Error as exc:
        raise NotCsvError(f"unreadable as CSV: {exc}") from None
    if len(rows) < 2:
        raise NotCsvError("a table needs a header and at least one row")
    widths = [len(row) for row in rows]
    if widths[0] < 2:
        raise NotCsvError("the header has a single column")
    for number, width in enumerate(widths, start=1):
        if width != widths[0]:
            raise NotCsvError(f"row {number} has {width} fields, the header has {widths[0]}")
    return dialect


def _whole_lines(text: str, limit: int) -> str:
    """At most `limit` characters of `text`, ending at a line break when there is one."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    end = head.rfind("\n")
    return head[: end + 1] if end > 0 else head
