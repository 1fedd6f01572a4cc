"""The worker's entry point: it registers the tutorial's tasks, gives Lambda the handler, and
works in LOG_DIRECTORY, where write_log may write (on Lambda the code's folder is
read-only). In a process of its own: it changes the folder it runs in."""

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

PROBE = """
import json, os
import worker
from offload import registry
print(json.dumps({
    "cwd": os.getcwd(),
    "tasks": registry.names(),
    "handler": type(worker.handler).__name__,
}))
"""


def test_the_worker_registers_the_tasks_and_works_in_the_log_directory(
    tmp_path: Path,
) -> None:
    environment = {**os.environ, "LOG_DIRECTORY": str(tmp_path), "PYTHONPATH": str(SRC)}

    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=SRC,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )

    seen = json.loads(result.stdout)
    assert seen == {
        "cwd": str(tmp_path),
        "tasks": ["write_log"],
        "handler": "WorkerHandler",
    }
