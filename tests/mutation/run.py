"""`make mutate`: mutmut's mutants of functions/offload against the fast tests, then the score.

mutmut names a mutated module after its path and takes off only a `src/` prefix, while the
tests import `offload`, not `functions.offload`. So the run happens in a staged copy of the
tree (`.mutation/`, rebuilt each time) where offload is `src/offload`; everything else the
tests read (functions/, tests/, events/, template.yaml, pyproject.toml and its `[tool.mutmut]`)
is copied beside it. No server is started: the selected tests are unit tests and moto in
process.

Every mutant that survives must be listed in tests/mutation/survivors.txt with a one-line
reason it is equivalent (no test could tell it from the original); the run fails on a survivor
not listed there, and says which listed ones no longer survive (or no longer exist).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORKSPACE = ROOT / ".mutation"
SURVIVORS = Path(__file__).resolve().parent / "survivors.txt"
#: What the selected tests read besides the mutated package.
COPIED = ("functions", "infra", "tests", "events", "template.yaml", "pyproject.toml")
RESULT = re.compile(r"^\s+(\S+): (.+)$")
TARGET = 0.90


def stage() -> None:
    shutil.rmtree(WORKSPACE, ignore_errors=True)
    WORKSPACE.mkdir()
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, WORKSPACE / name, ignore=_ignored())
        else:
            shutil.copy2(source, WORKSPACE / name)
    offload = ROOT / "functions" / "offload"
    shutil.copytree(offload, WORKSPACE / "src" / "offload", ignore=_ignored())


def _ignored() -> Callable[[str, list[str]], set[str]]:
    """Caches, and offload under functions/ (it is staged as src/offload)."""

    def ignored(directory: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in ("__pycache__", ".hypothesis") or n.endswith(".pyc")}
        if Path(directory) == ROOT / "functions":
            skip.add("offload")
        return skip

    return ignored


def mutmut(*args: str) -> subprocess.CompletedProcess[str]:
    # The original tree must not be importable: PYTHONPATH (the Makefile exports
    # functions:.) would put the unmutated offload first.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "mutmut", *args],
        cwd=WORKSPACE,
        env=env,
        text=True,
        capture_output=args[0] != "run",
        check=args[0] != "results",
    )


def listed() -> dict[str, str]:
    """tests/mutation/survivors.txt: `<mutant name>  <reason>` per line, # for comments."""
    found: dict[str, str] = {}
    for line in SURVIVORS.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, reason = line.partition(" ")
        if not reason.strip():
            raise SystemExit(f"{SURVIVORS.name}: {name} has no reason")
        found[name] = reason.strip()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    started = time.monotonic()
    stage()
    mutmut("run", "--max-children", str(args.max_children))
    mutmut("export-cicd-stats")
    stats = json.loads((WORKSPACE / "mutants" / "mutmut-cicd-stats.json").read_text())
    statuses = {
        match[1]: match[2]
        for line in mutmut("results", "--all", "true").stdout.splitlines()
        if (match := RESULT.match(line))
    }
    survived = sorted(name for name, status in statuses.items() if status == "survived")
    accepted = listed()
    unlisted = [name for name in survived if name not in accepted]
    stale = sorted(name for name in accepted if statuses.get(name) != "survived")
    # Tested mutants: those no test reaches ("no tests") count against the score too.
    total = stats["total"] - stats["skipped"]
    detected = stats["killed"] + stats["timeout"]
    minutes = (time.monotonic() - started) / 60
    print(
        f"\nmutants: {total}, killed {stats['killed']}, timed out {stats['timeout']}, "
        f"survived {stats['survived']} ({len(survived) - len(unlisted)} listed as equivalent), "
        f"no tests {stats['no_tests']}, suspicious {stats['suspicious']}; {minutes:.1f} min"
    )
    print(f"mutation score: {detected / total:.1%} killed (target {TARGET:.0%})")
    for name in unlisted:
        print(f"  survived, not in {SURVIVORS.name}: {name}  (mutmut show {name}, in .mutation/)")
    for name in stale:
        print(f"  in {SURVIVORS.name} but {statuses.get(name, 'no such mutant')}: {name}")
    return 1 if unlisted or stale or detected / total < TARGET else 0


if __name__ == "__main__":
    sys.exit(main())
