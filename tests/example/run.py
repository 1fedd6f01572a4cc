"""`make example`: examples/background-tasks as a user gets it, outside this repository.

1. The wheel is built from the working tree (pip, without build isolation: the locked
   setuptools of the dev virtualenv, nothing fetched).
2. A fresh virtualenv in a temporary folder gets the locked pip, then the wheel with its
   extras and the example's requirements-dev.txt, every version pinned by this repository's
   lock (`--constraint requirements/dev.txt`: pip takes a lock's pins, and checks the hashes it
   lists, as constraints). Then every distribution installed must be the lock's version: one
   the lock does not name fails the run, so nothing is resolved afresh.
3. The example is copied to the temporary folder; there, with that virtualenv only:
   - its own tests (the test kit);
   - cfn-lint with the library's rules on its template.yaml;
   - the local cloud (`offload-local up`) on its template, end to end: a request, the tasks'
     effect (log.txt), a task that keeps failing retried and dead-lettered (seen with
     `offload-local dlq`), then redriven once the cause is gone.

Each step prints how long it took. Exit status 0 when every step passed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from tests.polling import poll
from tests.processes import stop

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "background-tasks"
LOCKS = ROOT / "requirements"
EXTRAS = "testing,local,lint"
#: What the wheel is built from (pyproject.toml's packages and readme).
WHEEL_SOURCES = ("pyproject.toml", "README.md", "functions/offload", "infra/offload_local")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc")
T = TypeVar("T")


def step(name: str) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def timed(action: Callable[..., T]) -> Callable[..., T]:
        def run(*args: object) -> T:
            print(f"make example: {name} ...", flush=True)
            started = time.monotonic()
            result = action(*args)
            print(f"make example: {name}: done in {time.monotonic() - started:.1f} s", flush=True)
            return result

        return run

    return timed


def run(command: Sequence[str | Path], cwd: Path, **kwargs: object) -> None:
    subprocess.run([str(part) for part in command], cwd=cwd, check=True, **kwargs)  # type: ignore[call-overload]  # noqa: S603


@step("build the wheel")
def build_wheel(work: Path) -> Path:
    # From a copy of what the wheel is made of: setuptools leaves a build/ folder where it
    # builds, and one left in the working tree could put a file since deleted into the next.
    source = work / "source"
    source.mkdir()
    for name in WHEEL_SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=IGNORED)
        else:
            shutil.copy2(ROOT / name, source / name)
    dist = work / "dist"
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            dist,
            source,
        ],
        cwd=work,
    )
    [wheel] = dist.glob("fastapi_lambda_offload-*.whl")
    return wheel


@step("install it with its extras into a fresh virtualenv")
def install(work: Path, wheel: Path, project: Path) -> Path:
    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=work)
    python = venv / "bin" / "python"
    run(
        [python, "-m", "pip", "install", "--quiet", "--require-hashes", "-r", LOCKS / "pip.txt"],
        cwd=work,
    )
    # The lock's hashes put pip in hash-checking mode: the wheel is named with its own.
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    local = work / "wheel.txt"
    local.write_text(
        f"fastapi-lambda-offload[{EXTRAS}] @ {wheel.as_uri()} --hash=sha256:{digest}\n"
    )
    run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--constraint",
            LOCKS / "dev.txt",
            "-r",
            local,
            "-r",
            project / "requirements-dev.txt",
        ],
        cwd=work,
    )
    return venv / "bin"


@step("every version installed is the lock's")
def check_pins(bin_dir: Path) -> None:
    frozen = subprocess.run(  # noqa: S603 - the virtualenv's own pip
        [str(bin_dir / "python"), "-m", "pip", "list", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pins = {}
    for line in (LOCKS / "dev.txt").read_text().splitlines() + (
        LOCKS / "pip.txt"
    ).read_text().splitlines():
        name, separator, version = line.partition("==")
        if separator and not line.startswith((" ", "#")):
            pins[normal(name)] = version.split()[0]
    installed = {normal(d["name"]): d["version"] for d in json.loads(frozen)}
    installed.pop("fastapi-lambda-offload")
    unpinned = {name: v for name, v in installed.items() if pins.get(name) != v}
    assert not unpinned, f"installed, but not as the lock pins them: {unpinned}"


def normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


@step("copy the example out of the repository")
def copy_example(work: Path) -> Path:
    project = work / "background-tasks"
    shutil.copytree(
        EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", ".*_cache", ".local")
    )
    return project


@step("the example's tests")
def example_tests(bin_dir: Path, project: Path) -> None:
    run([bin_dir / "pytest", "-q", "-p", "no:cacheprovider"], cwd=project, env=clean_environment())


@step("cfn-lint with the library's rules")
def lint(bin_dir: Path, project: Path) -> None:
    run(
        [bin_dir / "cfn-lint", "template.yaml", "--append-rules", "offload.rules"],
        cwd=project,
        env=clean_environment(),
    )


@step("the example under the local cloud, end to end")
def end_to_end(bin_dir: Path, project: Path, work: Path) -> None:
    logs = work / "logs"
    logs.mkdir()
    state_file = project / ".local" / "cloud.json"
    cloud = subprocess.Popen(  # noqa: S603 - the virtualenv's own command
        [
            str(bin_dir / "offload-local"),
            "up",
            "--port",
            "0",
            "--aws-port",
            "0",
            "--console-port",
            "-1",
            "--parameter-overrides",
            f"LogDirectory={logs}",
        ],
        cwd=project,
        env=clean_environment(),
    )
    try:
        state = wait_for("the local cloud to start", lambda: read_state(state_file, cloud))
        api = state["api_url"]
        log = logs / "log.txt"

        # A request; both of its tasks write the log.
        answer = post(f"{api}/send-notification/you@example.com?q=durable")
        assert answer == {"message": "Message sent"}, answer
        written = wait_for("log.txt", lambda: lines(log) if len(lines(log)) == 2 else None)
        assert sorted(written) == ["found query: durable", "message to you@example.com"], written

        # write_log cannot open log.txt (a folder now): retried, then dead-lettered.
        log.unlink()
        log.mkdir()
        post(f"{api}/send-notification/later@example.com")
        listed = wait_for(
            "the dead letter",
            lambda: found if "1 message(s)" in (found := dlq(bin_dir, project)) else None,
            timeout=120,
        )
        assert "IsADirectoryError" in listed, listed
        assert "task: write_log" in listed, listed
        assert "receive_count: 5" in listed, listed
        print(listed, flush=True)

        # The cause gone, the dead letter goes back and its task runs.
        log.rmdir()
        run([bin_dir / "offload-local", "redrive"], cwd=project, env=clean_environment())
        again = wait_for("the redriven task", lambda: lines(log) or None)
        assert again == ["message to later@example.com"], again
    finally:
        stop(cloud)
    assert cloud.returncode == 0, f"offload-local up exited with {cloud.returncode}"


def clean_environment() -> dict[str, str]:
    """This process's environment without what points into the repository: the virtualenv
    alone decides what is importable."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


def read_state(path: Path, cloud: subprocess.Popen[bytes]) -> dict[str, Any] | None:
    """The running cloud's card (offload_local.state), once this process has written it."""
    if cloud.poll() is not None:
        raise SystemExit(f"offload-local up exited with {cloud.returncode}")
    try:
        state: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return state if state.get("pid") == cloud.pid and state.get("api_url") else None


def post(url: str) -> object:
    request = urllib.request.Request(url, method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        return json.loads(response.read())


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.is_file() else []


def dlq(bin_dir: Path, project: Path) -> str:
    return subprocess.run(  # noqa: S603 - the virtualenv's own command
        [str(bin_dir / "offload-local"), "dlq"],
        cwd=project,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def wait_for(what: str, check: Callable[[], T | None], timeout: float = 60) -> T:
    found = poll(check, timeout, interval=0.2)
    if found is None:
        raise SystemExit(f"make example: {what}: not within {timeout} s")
    return found


def main() -> int:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="offload-example-") as folder:
        work = Path(folder)
        wheel = build_wheel(work)
        project = copy_example(work)
        bin_dir = install(work, wheel, project)
        check_pins(bin_dir)
        example_tests(bin_dir, project)
        lint(bin_dir, project)
        end_to_end(bin_dir, project, work)
    print(f"make example: passed in {time.monotonic() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
