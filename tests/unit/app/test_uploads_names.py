"""The client's filename, made safe: only ever metadata, but shown to people."""

from __future__ import annotations

import pytest

from app.uploads.names import MAX_NAME_BYTES, sanitize_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("holiday photo.png", "holiday photo.png"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("C:\\Users\\me\\photo.png", "photo.png"),
        ("uploads/other-id", "other-id"),
        ("x.png\x00.php", "x.png.php"),
        ("line\r\nbreak.txt", "line break.txt"),
        ("tab\there.txt", "tab here.txt"),
        ("\u202egnp.exe", "gnp.exe"),
        ("invoice\u2067\u202efdp.exe\u2069", "invoicefdp.exe"),
        ("zero\u200bwidth\ufeff.txt", "zerowidth.txt"),
        ("para\u2029graph.txt", "para graph.txt"),
        # NFKC: look-alikes become what they look like, before the path step sees them
        ("\uff0e\uff0e\uff0fetc\uff0fpasswd", "passwd"),
        ("\ufb01le.txt", "file.txt"),
        ("\uff32\uff45\uff50\uff4f\uff52\uff54.pdf", "Report.pdf"),
        ("caf\u0065\u0301.txt", "caf\u00e9.txt"),
        ("  spaced   out  .txt ", "spaced out .txt"),
        (".bashrc", "bashrc"),
        ("name. . .", "name"),
        ("..", "file"),
        (".", "file"),
        ("/", "file"),
        ("\x00\x01", "file"),
        ("", "file"),
        (None, "file"),
        ("\ud800broken.txt", "broken.txt"),
    ],
)
def test_sanitised_names(raw: str | None, expected: str) -> None:
    assert sanitize_filename(raw) == expected


def test_long_names_are_cut_to_255_bytes_keeping_the_extension() -> None:
    name = sanitize_filename("a" * 300 + ".png")

    assert name == "a" * 251 + ".png"
    assert len(name.encode()) == MAX_NAME_BYTES


def test_long_names_are_cut_between_characters() -> None:
    # Two bytes each in UTF-8: 255 bytes cannot hold a whole number of them with ".csv"
    name = sanitize_filename("é" * 200 + ".csv")

    assert name.endswith("é.csv")
    assert len(name.encode()) <= MAX_NAME_BYTES
    assert name.encode().decode() == name


def test_a_long_extension_is_not_kept_whole() -> None:
    name = sanitize_filename("x." + "y" * 300)

    assert len(name.encode()) == MAX_NAME_BYTES
    assert name.startswith("x.yyy")


def test_sanitising_twice_changes_nothing() -> None:
    for raw in ["../../a\u202eb.png", "a" * 300 + ".png", " ..x.. ", "\uff0e\uff0e"]:
        once = sanitize_filename(raw)
        assert sanitize_filename(once) == once
