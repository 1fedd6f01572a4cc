"""Pillow is the worker's business, and only when an image arrives: importing either handler
must not load it (it would add to every cold start of the API and of the worker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_neither_handler_imports_pillow() -> None:
    code = (
        "import sys\n"
        "import api.handler, worker.handler\n"
        "loaded = sorted(m for m in sys.modules if m == 'PIL' or m.startswith('PIL.'))\n"
        "assert not loaded, loaded\n"
    )
    env = os.environ | {"PYTHONPATH": str(ROOT / "functions")}
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
