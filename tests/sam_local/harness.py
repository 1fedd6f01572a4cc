"""The SAM CLI's local commands against a local cloud, run as a developer runs them.

The local cloud runs in the test process (free ports) and writes its state file, as `make dev`
does; `offload-local sam ...` runs as a separate process against that file, with the SAM
CLI, Docker and the SAM build as `make test-sam-local` left them. Only with OFFLOAD_SAM_LOCAL=1:
without a Docker engine none of this can run.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from offload_local.cloud import LocalCloud
from offload_local.console import Console
from offload_local.sam.containers import SAM_CONTAINER_LABEL
from offload_local.sam.docker import DockerEngine
from offload_local.sam.environment import ENDPOINT_VARIABLE
from offload_local.state import write_state
from tests.polling import wait_for
from tests.processes import stop
from tests.repository import on_free_ports

REPO = Path(__file__).resolve().parents[2]
ENABLED_VARIABLE = "OFFLOAD_SAM_LOCAL"
#: The first start builds SAM's emulation image; containers start in seconds after that.
START_SECONDS = 300
INVOKE_SECONDS = 300


def enabled() -> bool:
    return os.environ.get(ENABLED_VARIABLE) == "1"


@dataclass(frozen=True)
class RunningCloud:
    cloud: LocalCloud
    state_file: Path
    outbox: Path


@contextmanager
def local_cloud(
    folder: Path, *, serve: bool = True, parameter_overrides: dict[str, str] | None = None
) -> Iterator[RunningCloud]:
    """A local cloud from template.yaml, and its state file in `folder`. Without `serve`, its
    resources only: no HTTP API, no queue pollers."""
    outbox = folder / "outbox"
    options = replace(
        on_free_ports(outbox),
        serve=serve,
        prewarm=serve,
        parameter_overrides=parameter_overrides or {},
    )
    with LocalCloud(options, Console(colour=False)) as cloud:
        state_file = folder / "cloud.json"
        write_state(state_file, cloud.state())
        yield RunningCloud(cloud, state_file, outbox)


def local_cloud_command(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "offload_local", *arguments]


def environment() -> dict[str, str]:
    # pytest's pythonpath setting does not reach a child process.
    return {**os.environ, "PYTHONPATH": os.pathsep.join(["functions", "infra", "."])}


def sam_invoke(state_file: Path, function: str, event: Path) -> subprocess.CompletedProcess[str]:
    """`offload-local sam invoke FUNCTION -e EVENT`: its exit status, result and logs."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        local_cloud_command(
            "sam", "invoke", function, "-e", str(event), "--state-file", str(state_file)
        ),
        cwd=REPO,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=INVOKE_SECONDS,
        check=False,
    )
    assert not left_behind(result.stderr), "containers left running"
    return result


_RELAY = re.compile(r"containers reach the AWS endpoint \S+ at (http://[^\s,]+)")


def left_behind(output: str) -> list[str]:
    """Containers still there that were given the relay a command announced in its output."""
    found = _RELAY.search(output)
    if found is None:
        return []
    docker = DockerEngine.from_environment()
    marker = f"{ENDPOINT_VARIABLE}={found.group(1)}"
    return [c for c in docker.containers(SAM_CONTAINER_LABEL) if marker in docker.environment_of(c)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SamApi:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def sam_start_api(state_file: Path, log: Path) -> Iterator[SamApi]:
    """`offload-local sam start-api` on a free port, until the block ends (SIGTERM)."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            local_cloud_command(
                "sam", "start-api", "--port", str(port), "--state-file", str(state_file)
            ),
            cwd=REPO,
            env=environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    api = SamApi(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_for("sam local start-api to serve /health", lambda: _serves(api), START_SECONDS, 1)
        yield api
    finally:
        stop(process)
    assert not left_behind(api.output()), "containers left running"


def _serves(api: SamApi) -> bool:
    if api.process.poll() is not None:
        pytest.fail(f"sam local start-api exited with {api.process.returncode}:\n{api.output()}")
    try:
        with urllib.request.urlopen(f"{api.url}/health", timeout=30) as response:  # noqa: S310
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False
