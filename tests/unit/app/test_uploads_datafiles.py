"""Data files into dataset summaries, and the reasons given when they are not datasets."""

from __future__ import annotations

import io
import json

import pytest

from app.data_summary import MAX_VALUE_CHARS
from app.uploads import datafiles
from app.uploads.datafiles import DataFileError, summarize_csv, summarize_json
from app.uploads.sniff import SAMPLE_BYTES


def test_csv_cells_are_numbers_text_or_missing() -> None:
    data = b"\xef\xbb\xbfcity;temp;note\nLyon;12.5;\nOslo;-3;cold\nLyon; ;\n"

    result = summarize_csv(io.BytesIO(data))

    summary, truncated = result
    assert summary.records == 3
    temp = summary.fields["temp"]
    assert (temp.count, temp.nulls, temp.min, temp.max) == (2, 1, -3, 12.5)
    assert summary.fields["note"].nulls == 2
    assert summary.fields["city"].top == [("Lyon", 2), ("Oslo", 1)]
    assert truncated is False


def test_csv_rows_beyond_the_cap_are_left_out_and_said_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(datafiles, "MAX_ROWS", 3)
    data = b"a,b\n" + b"1,2\n" * 10

    result = summarize_csv(io.BytesIO(data))

    summary, truncated = result
    assert (summary.records, truncated) == (3, True)


def test_long_values_are_cut_so_that_the_summary_stays_small() -> None:
    data = b"a,b\n" + b"x" * 5000 + b",1\n"

    top = summarize_csv(io.BytesIO(data))[0].fields["a"].top

    assert top == [("x" * MAX_VALUE_CHARS, 1)]


def test_the_source_file_is_left_open() -> None:
    source = io.BytesIO(b"a,b\n1,2\n")

    summarize_csv(source)

    assert not source.closed


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"just a sentence\n", "not CSV: "),
        (b"a,b\n1,2\n3,4,5\n", "not CSV: row 3 has 3 fields, the header has 2"),
        (b"a,a\n1,2\n", "column 'a' appears twice"),
        (b"a,\n1,2\n", "a column of the header has no name"),
        (b"\xff\xfe\x00a,b", "not CSV: the content is not UTF-8 text"),
        (
            ",".join(f"c{i}" for i in range(101)).encode() + b"\n" + b"1," * 100 + b"1\n",
            "more than 100 columns",
        ),
    ],
)
def test_why_a_csv_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DataFileError, match=reason):
        summarize_csv(io.BytesIO(data))


def test_a_ragged_row_after_the_sample_is_still_found() -> None:
    data = b"a,b\n" + b"1234567890,2\n" * 6000 + b"1,2,3\n"
    assert len(data) > SAMPLE_BYTES

    with pytest.raises(DataFileError, match="row 6002 has 3 fields"):
        summarize_csv(io.BytesIO(data))


def test_json_datasets() -> None:
    result = summarize_json(json.dumps([{"n": 1}, {"n": 2, "s": "x" * 500}]).encode())

    summary, _ = result
    assert summary.records == 2
    assert summary.fields["n"].mean == 1.5
    assert summary.fields["s"].top == [("x" * MAX_VALUE_CHARS, 1)]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": 1}', "must be a list of objects, not an object"),
        (b'"text"', "not a string"),
        (b"3", "not a number"),
        (b"[1]", "item 0 is not"),
        (b"[{}, []]", "item 1 is not"),
        (b"[{", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"\xff[]", "not valid JSON"),
        (json.dumps([{f"k{i}": i for i in range(101)}]).encode(), "more than 100 distinct"),
    ],
)
def test_why_json_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(DataFileError, match=reason):
        summarize_json(data)
