"""`offload-local sam ...` refuses bad input before anything starts, each time with one
clear
line and no traceback: no local cloud, no Docker engine, an event for another function; and it
notices when the local cloud it was started for stops or restarts."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from offload_local.cli import main
from offload_local.console import Console
from offload_local.sam.session import SamLocal
from offload_local.state import read_state, write_state
from tests.conftest import EVENTS
from tests.sam_local.harness import RunningCloud, local_cloud

WORKER_EVENT = str(EVENTS / "worker_send_email.json")
API_EVENT = str(EVENTS / "send_notification.json")


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    with local_cloud(tmp_path_factory.mktemp("cloud"), serve=False) as cloud:
        yield cloud


def refusal(capsys: pytest.CaptureFixture[str], *arguments: str) -> str:
    """The one line the command printed when it refused to run."""
    status = main(list(arguments))
    error = capsys.readouterr().err
    assert status == 2, error
    assert "Traceback" not in error
    assert error.startswith("error: "), error
    assert error.count("\n") == 1, error
    return error


@pytest.mark.parametrize(
    "command", [["start-api"], ["invoke", "WorkerFunction", "-e", WORKER_EVENT]]
)
def test_without_a_running_local_cloud(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = refusal(capsys, "sam", *command, "--state-file", str(tmp_path / "cloud.json"))

    assert "no local cloud is running" in error
    assert "`offload-local up`" in error


@pytest.mark.parametrize("listening", [False, True], ids=["absent", "not-running"])
def test_without_a_docker_engine(
    running: RunningCloud,
    listening: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "docker.sock"
    if listening:
        # A socket left behind by an engine that has stopped
        with socket.socket(socket.AF_UNIX) as sock:
            sock.bind(str(path))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{path}")

    error = refusal(
        capsys, "sam", "invoke", "WorkerFunction", "-e", WORKER_EVENT,
        "--state-file", str(running.state_file),
    )  # fmt: skip

    if listening:
        assert f"the Docker engine at unix://{path} is not answering" in error
    else:
        assert f"no Docker engine at unix://{path}" in error


@pytest.mark.parametrize(
    ("function", "event", "expected"),
    [
        (
            "ApiFunction",
            WORKER_EVENT,
            "is an SQS batch, but ApiFunction is only invoked with an HTTP API request "
            "(payload 2.0): invoke HeavyWorkerFunction or WorkerFunction with it",
        ),
        (
            "WorkerFunction",
            API_EVENT,
            "is an HTTP API request (payload 2.0), but WorkerFunction is only invoked with an "
            "SQS batch: invoke ApiFunction with it",
        ),
    ],
)
@pytest.mark.parametrize("command", [["sam", "invoke"], ["invoke"]])
def test_an_event_for_another_function(
    running: RunningCloud,
    command: list[str],
    function: str,
    event: str,
    expected: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Refused before Docker is asked anything: DOCKER_HOST is not even looked at.
    error = refusal(
        capsys, *command, function, "-e", event, "--state-file", str(running.state_file)
    )

    assert f"error: {event} {expected}" in error


def test_an_unknown_function(running: RunningCloud, capsys: pytest.CaptureFixture[str]) -> None:
    error = refusal(
        capsys, "sam", "invoke", "Nope", "-e", WORKER_EVENT,
        "--state-file", str(running.state_file),
    )  # fmt: skip

    assert "no function 'Nope' in the template" in error


def test_a_restarted_or_stopped_local_cloud_is_noticed(running: RunningCloud) -> None:
    state = read_state(running.state_file)
    with SamLocal(running.state_file, Console(colour=False)) as sam:
        assert sam.cloud_problem() is None
        try:
            # A new local cloud in its place: a new user pool (and new tokens, new resources)
            write_state(running.state_file, dataclasses.replace(state, user_pool_id="us-east-1_x"))
            assert "the local cloud was restarted" in str(sam.cloud_problem())
            # None in its place: nothing answers where it was
            write_state(
                running.state_file, dataclasses.replace(state, aws_endpoint="http://127.0.0.1:9")
            )
            assert "has stopped" in str(sam.cloud_problem())
        finally:
            write_state(running.state_file, state)
