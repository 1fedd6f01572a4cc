"""A small SAM project on disk for the local cloud to run: its functions' modules in fn/, and
template.yaml, whose Globals point every function there."""

from __future__ import annotations

import textwrap
from pathlib import Path

#: What every function of such a project shares (a template gives the rest).
GLOBALS = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.13
    CodeUri: fn/
    Timeout: 5
"""


def write_project(root: Path, template: str, **modules: str) -> Path:
    """template.yaml in `root` (GLOBALS, then `template`), each module's source in fn/
    (name -> source); the template's path."""
    (root / "fn").mkdir()
    for name, source in modules.items():
        (root / "fn" / f"{name}.py").write_text(textwrap.dedent(source))
    path = root / "template.yaml"
    path.write_text(GLOBALS + template)
    return path
