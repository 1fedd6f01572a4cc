"""This repository's own template and folders, for the tests of its sample application: named
whatever folder the tests run from (the local cloud's default is the current folder's
template.yaml, as the SAM CLI's)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = REPO_ROOT / "template.yaml"
