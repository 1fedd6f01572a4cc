"""Telling what a file is from its bytes, never from what the client says."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.uploads.sniff import NotCsvError, csv_dialect, sniff


def image(pillow_format: str, mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (4, 4)).save(out, format=pillow_format)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (image("PNG"), "image/png"),
        (image("JPEG"), "image/jpeg"),
        (image("GIF", "P"), "image/gif"),
        (image("WEBP"), "image/webp"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf"),
        (b'[{"a": 1}, {"a": 2}]', "application/json"),
        (b'  {"a": [1, 2]}\n', "application/json"),
        (b"\xef\xbb\xbf[]", "application/json"),
        (b"a,b\n1,2\n3,4\n", "text/csv"),
        (b"a;b;c\n1;2;3\n", "text/csv"),
        (b"a\tb\n1\t2\n", "text/csv"),
        (b'name,note\n"Ann","two\nlines"\n', "text/csv"),
        (b"Dear reader,\nthis is a letter.\n", "text/plain"),
        (b"42", "text/plain"),
        (b"[section]\nkey=value\n", "text/plain"),
        ("caf\u00e9 au lait".encode(), "text/plain"),
        (b"\x00\x01\x02\x03", "application/octet-stream"),
        (b"\xff\xfe\xfd", "application/octet-stream"),
        (b"PK\x03\x04zip", "application/octet-stream"),
        (b"", "text/plain"),
    ],
)
def test_sniffed_types(data: bytes, expected: str) -> None:
    assert sniff(data, complete=True) == expected


def test_a_cut_sample_is_never_json_but_may_be_csv() -> None:
    rows = b"a,b\n" + b"1,2\n" * 100
    assert sniff(b'[{"a": 1}, {"a":', complete=False) == "text/plain"
    # Cut inside a line, and inside a multi-byte character: neither makes it binary
    assert sniff(rows + b"3,", complete=False) == "text/csv"
    assert sniff("x,y\n1,é\n2,é".encode()[:-1], complete=False) == "text/csv"


def test_riff_that_is_not_webp_is_not_an_image() -> None:
    assert sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ", complete=True) == "application/octet-stream"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello world\nthis is not, a table\nat all\n", "no column delimiter"),
        ("a,b,c\n1,2,3\n4,5\n", "row 3 has 2 fields, the header has 3"),
        ("a,b\n1,2,3\n", "row 2 has 3 fields, the header has 2"),
        ("a,b\n", "a header and at least one row"),
        ("   \n", "no complete line"),
    ],
)
def test_why_text_is_not_csv(text: str, reason: str) -> None:
    with pytest.raises(NotCsvError, match=reason):
        csv_dialect(text, complete=True)
