"""Emails from templates: a plain-text and an HTML part per message, values escaped for HTML and
kept out of headers' line structure."""

from __future__ import annotations

import html
import re
from functools import cache
from pathlib import Path
from string import Template

from app.email import Email

_TEMPLATES = Path(__file__).resolve().parent / "templates"
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x85\x0b\x0c]+")
MAX_SUBJECT_CHARS = 200
#: Any value put into a body: long enough for an item's description, short enough that an
#: email cannot be made into a vehicle for someone else's content.
MAX_VALUE_CHARS = 2000


@cache
def _template(name: str) -> Template:
    return Template((_TEMPLATES / name).read_text(encoding="utf-8"))


def header_safe(value: str) -> str:
    """A value fit for a header: no line break can start a new header line."""
    return _LINE_BREAKS.sub(" ", value).strip()[:MAX_SUBJECT_CHARS]


def bounded(value: str) -> str:
    return value if len(value) <= MAX_VALUE_CHARS else value[: MAX_VALUE_CHARS - 1] + "\u2026"


def render(template: str, to: str, subject: str, **values: str) -> Email:
    """`template` names a pair of files in templates/: `<template>.txt` and `<template>.html`."""
    values = {key: bounded(value) for key, value in values.items()}
    text = _template(f"{template}.txt").substitute(values)
    markup = _template(f"{template}.html").substitute(
        {key: html.escape(value, quote=True) for key, value in values.items()}
    )
    return Email(to=to, subject=header_safe(subject), text=text, html=markup)
