"""Data files (CSV, JSON) turned into the same summary POST /process gives. The file is the
user's: when it is not the table it claims to be, DataFileError says why, for the user to read."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, Any

from app.data_summary import (
    MAX_FIELD_NAME_CHARS,
    MAX_FIELDS,
    DatasetSummary,
    InvalidDataError,
    parse_number,
    summarize,
)
from app.uploads.sniff import SAMPLE_BYTES, NotCsvError, csv_dialect, decode_text

#: Rows (CSV) or records (JSON) summarised; the rest of a longer file is left out, and said so.
MAX_ROWS = 10_000
#: JSON is parsed whole, so only files up to this size are summarised.
MAX_JSON_BYTES = 16 * 1024 * 1024


class DataFileError(InvalidDataError):
    """Raise when a data file is not a table: unreadable, ragged, or not a list of objects."""


#: A data file's summary, and whether the file had more than MAX_ROWS rows (then the summary
#: covers the first MAX_ROWS).
Summarized = tuple[DatasetSummary, bool]


def summarize_csv(source: IO[bytes]) -> Summarized:
    """A UTF-8 CSV file with a header row, read as a stream: a large file costs no memory."""
    source.seek(0)
    sample = decode_text(source.read(SAMPLE_BYTES), complete=False)
    if sample is None:
        raise DataFileError("not CSV: the content is not UTF-8 text")
    try:
        dialect = csv_dialect(sample, complete=False)
    except NotCsvError as exc:
        raise DataFileError(f"not CSV: {exc}") from None
    source.seek(0)
    text = io.TextIOWrapper(source, encoding="utf-8-sig", newline="")
    try:
        rows = csv.reader(text, dialect)
        header = next(rows, None)
        if not header:
            raise DataFileError("not CSV: there is no header row")
        _check_header(header)
        records, truncated = _take(_csv_records(header, rows))
        return summarize(records), truncated
    except (csv.Error, UnicodeDecodeError) as exc:
        raise DataFileError(f"not CSV: {exc}") from None
    finally:
        # The wrapper would close the file it wraps, which is not ours to close.
        text.detach()


def _check_header(header: list[str]) -> None:
    if len(header) > MAX_FIELDS:
        raise DataFileError(f"more than {MAX_FIELDS} columns")
    seen: set[str] = set()
    for name in header:
        if not name.strip():
            raise DataFileError("a column of the header has no name")
        if name in seen:
            raise DataFileError(
                f"column {name[:MAX_FIELD_NAME_CHARS]!r} appears twice in the header"
            )
        seen.add(name)


def _csv_records(header: list[str], rows: Iterator[list[str]]) -> Iterator[dict[str, Any]]:
    for number, row in enumerate(rows, start=2):
        if not row:
            continue  # a blank line
        if len(row) != len(header):
            raise DataFileError(
                f"not CSV: row {number} has {len(row)} fields, the header has {len(header)}"
            )
        # An empty cell is a missing value, as null is in a JSON dataset.
        yield {
            name: parse_number(cell) if cell.strip() else None
            for name, cell in zip(header, row, strict=True)
        }


def summarize_json(data: bytes) -> Summarized:
    """A JSON array of objects, as POST /process takes."""
    if len(data) > MAX_JSON_BYTES:
        raise DataFileError(f"JSON files are summarised up to {MAX_JSON_BYTES} bytes")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        # RecursionError: thousands of nested brackets; ValueError covers bad UTF-8 too.
        raise DataFileError(f"not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(document, list):
        raise DataFileError(f"JSON data must be a list of objects, not {_kind(document)}")
    for index, record in enumerate(document):
        if not isinstance(record, dict):
            raise DataFileError(f"JSON data must be a list of objects: item {index} is not")
    records, truncated = _take(document)
    fields = {name for record in records for name in record}
    if len(fields) > MAX_FIELDS:
        raise DataFileError(f"more than {MAX_FIELDS} distinct fields")
    return summarize(records), truncated


def _take(records: Any) -> tuple[list[dict[str, Any]], bool]:
    """The first MAX_ROWS records, and whether there were more."""
    taken: list[dict[str, Any]] = []
    for record in records:
        if len(taken) == MAX_ROWS:
            return taken, True
        taken.append(record)
    return taken, False


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    return "null" if value is None else "a number"
