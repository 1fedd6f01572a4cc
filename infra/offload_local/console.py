"""The local cloud's console: whole lines from many threads and processes, each with its source.

Function output (Powertools' JSON logs) is passed through untouched after the prefix, so it can
still be piped into jq after `cut -d'|' -f2-`.
"""

from __future__ import annotations

import sys
import threading
from typing import TextIO

_COLOURS = ("36", "35", "33", "32", "34", "31")


class Console:
    """Prints `source | line`; one lock keeps lines from different threads whole."""

    def __init__(self, stream: TextIO | None = None, colour: bool | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._lock = threading.Lock()
        self._colour = self._stream.isatty() if colour is None else colour
        self._assigned: dict[str, str] = {}
        self._width = 12

    def line(self, source: str, text: str) -> None:
        text = text.rstrip("\n")
        with self._lock:
            self._width = max(self._width, len(source))
            label = source.ljust(self._width)
            if self._colour:
                code = self._assigned.setdefault(
                    source, _COLOURS[len(self._assigned) % len(_COLOURS)]
                )
                label = f"\033[{code}m{label}\033[0m"
            for part in text.split("\n") or [""]:
                self._stream.write(f"{label} | {part}\n")
            self._stream.flush()

    def write(self, text: str) -> None:
        """Unprefixed text (the start-up banner)."""
        with self._lock:
            self._stream.write(text)
            self._stream.flush()
