"""The README's "Add it to your app" runs as written: each Python block is the file its first
line names, and together they import (the app, its front door, its worker) and pass their test."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SECTION = "## Add it to your app"
#: A block of the section, its file named on its first line: ```python\n# main.py\n...```
BLOCK = re.compile(r"```python\n\s*# (?P<name>[\w.]+\.py)\n(?P<code>.*?)```", re.S)


def section_blocks() -> dict[str, str]:
    text = (REPO / "README.md").read_text()
    start = text.index(SECTION)
    end = text.index("\n## ", start + len(SECTION))
    blocks: dict[str, str] = {}
    for found in BLOCK.finditer(text[start:end]):
        # Blocks sit inside a numbered list: their lines are indented alike.
        lines = found["code"].splitlines()
        indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        blocks[found["name"]] = "\n".join(line[indent:] for line in lines) + "\n"
    return blocks


def test_the_section_names_the_files_of_an_app() -> None:
    assert set(section_blocks()) == {"main.py", "front_door.py", "worker.py", "test_main.py"}


def test_the_sections_code_imports_and_its_test_passes(tmp_path: Path) -> None:
    for name, code in section_blocks().items():
        (tmp_path / name).write_text(code)
    # No setting of this repository's reaches the app: it stands on its own.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OFFLOAD_")}
    environment["PYTHONPATH"] = os.pathsep.join([str(REPO / "functions"), str(tmp_path)])

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our interpreter, the README's code
            [sys.executable, *arguments],
            cwd=tmp_path,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    imported = run("-c", "import main, front_door, worker")
    assert imported.returncode == 0, imported.stderr
    tested = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:randomly")
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "1 passed" in tested.stdout


def test_the_section_is_at_most_ten_steps() -> None:
    text = (REPO / "README.md").read_text()
    section = text[text.index(SECTION) : text.index("\n## ", text.index(SECTION) + 1)]
    steps = [int(n) for n in re.findall(r"\n(\d+)\. \*\*", section)]
    assert steps == list(range(1, len(steps) + 1))
    assert len(steps) <= 10
