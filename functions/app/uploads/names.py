"""The client's filename, made safe to store and show. It is metadata only (never part of an
object key), but it is still shown back to people and may end up in a download header."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_BYTES = 255
FALLBACK_NAME = "file"
#: An extension longer than this is not kept whole when a long name is shortened.
MAX_KEPT_EXTENSION = 16

# Control characters (NUL included), format characters (the bidi overrides and isolates such as
# U+202E that make "gnp.exe" read as "exe.png", zero-width characters), line and paragraph
# separators, and lone surrogates that would not even encode.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_SPACES = re.compile(r"\s+")


def sanitize_filename(raw: str | None) -> str:
    """A display name from whatever the client sent; "file" when nothing usable is left."""
    if not raw:
        return FALLBACK_NAME
    # NFKC first: it folds look-alikes such as the fullwidth solidus U+FF0F into "/" and the
    # two-dot leader U+2025 into "..", which the path step below must then see.
    name = unicodedata.normalize("NFKC", raw)
    # Browsers on Windows send "C:\\Users\\me\\photo.png"; a hostile client sends "../../x".
    name = re.split(r"[/\\]", name)[-1]
    # Tabs and line breaks become spaces (they separated words); other controls go.
    name = _SPACES.sub(" ", name)
    name = "".join(c for c in name if unicodedata.category(c) not in _REMOVED_CATEGORIES)
    # Leading dots make hidden files and "..", trailing dots and spaces are dropped by Windows.
    name = name.strip(" .")
    if not name:
        return FALLBACK_NAME
    return _shorten(name, MAX_NAME_BYTES)


def _shorten(name: str, max_bytes: int) -> str:
    """At most `max_bytes` of UTF-8, cut between characters, keeping a short extension."""
    if len(name.encode()) <= max_bytes:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > MAX_KEPT_EXTENSION:
        stem, extension = name, ""
    suffix = f".{extension}" if extension else ""
    budget = max_bytes - len(suffix.encode())
    kept = stem.encode()[:budget].decode(errors="ignore").rstrip(" .")
    return f"{kept}{suffix}" if kept else FALLBACK_NAME
