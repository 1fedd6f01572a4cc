"""`offload-local`: help, and start-up refusals with a clear message and a failing
status."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode

from offload_local.cli import main, parser
from offload_local.commands.common import StackSettings, stack_settings

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


@pytest.fixture
def queue_template(write_template: Callable[[str], Path]) -> Path:
    return write_template(
        """
        Resources:
          Queue:
            Type: AWS::SQS::Queue
        """
    )


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])

    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    for command in (
        "up",
        "invoke",
        "queues",
        "dlq",
        "redrive",
        "outbox",
        "token",
        "schedules",
        "console",
        "sam",
        "template-unit",
    ):
        assert command in out


@pytest.mark.parametrize("option", ["--port", "--aws-port"])
def test_a_port_in_use_stops_start_up(
    option: str,
    taken_port: int,
    queue_template: Path,
    write_template: Callable[[str], Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    api_template = write_template(
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              Runtime: python3.13
              CodeUri: .
              Handler: app.handler
              Events:
                Any:
                  Type: HttpApi
        """
    )
    ports = {"--port": "0", "--aws-port": "0", option: str(taken_port)}

    status = main(["up", "--template", str(api_template), *[x for kv in ports.items() for x in kv]])

    assert status == 2
    assert f"port {taken_port} on 127.0.0.1 is in use" in capsys.readouterr().err


def test_an_unsupported_resource_type_stops_start_up(
    write_template: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_template(
        """
        Resources:
          Alerts:
            Type: AWS::Kinesis::Stream
        """
    )

    status = main(["up", "--template", str(template), "--port", "0", "--aws-port", "0"])

    assert status == 2
    assert "Alerts: resource type AWS::Kinesis::Stream is not supported" in capsys.readouterr().err


def test_a_bad_parameter_override_stops_start_up(
    queue_template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(
        ["--template", str(queue_template), "--parameter-overrides", "Nope=1", "--aws-port", "0"]
    )

    assert status == 2
    assert "no parameter Nope" in capsys.readouterr().err


SAMCONFIG = """
version = 0.1
[default.global.parameters]
stack_name = "from-samconfig"
[default.deploy.parameters]
region = "eu-west-1"
parameter_overrides = "Size=9"
"""


def test_samconfig_sets_the_stack_unless_a_flag_does(queue_template: Path) -> None:
    (queue_template.parent / "samconfig.toml").write_text(SAMCONFIG)

    def settings(*flags: str) -> StackSettings:
        return stack_settings(
            parser().parse_args(["up", "--template", str(queue_template), *flags])
        )

    assert settings() == StackSettings("from-samconfig", "eu-west-1", {"Size": "9"})
    # Each flag wins over its setting; overrides on the command line replace samconfig's.
    assert settings(
        "--stack-name", "mine", "--region", "us-west-2", "--parameter-overrides", "Other=1"
    ) == StackSettings("mine", "us-west-2", {"Other": "1"})


def test_samconfigs_parameter_overrides_reach_the_stack(
    write_template: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    template = write_template(
        """
        Parameters:
          Size: {Type: Number, Default: 1, MaxValue: 5}
        Resources:
          Queue:
            Type: AWS::SQS::Queue
        """
    )
    (template.parent / "samconfig.toml").write_text(SAMCONFIG)

    status = main(["--template", str(template), "--aws-port", "0"])

    assert status == 2
    assert "parameter Size=9 is above MaxValue 5" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["queues"], ["token", "you@example.com"]])
def test_commands_needing_a_running_cloud_say_so(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main([*command, "--state-file", str(tmp_path / "none.json")])

    assert status == 2
    assert "no local cloud is running" in capsys.readouterr().err


def test_an_issuer_the_local_cloud_cannot_check_stops_start_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    overrides = ["AuthIssuerUrl=https://login.example.com/", "AuthAudience=api"]
    state = tmp_path / "cloud.json"
    files = ["--state-file", str(state), "--outbox", str(tmp_path / "outbox")]

    status = main(
        ["up", *files, "--port", "0", "--aws-port", "0", "--parameter-overrides", *overrides]
    )

    error = capsys.readouterr().err
    assert status == 2
    assert "trusts tokens issued by https://login.example.com/" in error
    assert "will not accept tokens unchecked" in error
    assert not state.exists()


def miswired(template: Path, to: Path) -> Path:
    """The template with a realistic wiring mistake: the worker tries 10 times on a queue that
    dead-letters after 2 receives and hides a message 5 s from a 30 s worker, and its mapping
    lost ReportBatchItemFailures. Lambda would delete a failing task's batch: the task lost."""
    decoded, errors = decode(str(template))
    assert not errors
    # cfn-lint reads !Ref and friends into their long form; plain JSON is a template too.
    changed: dict[str, Any] = json.loads(json.dumps(decoded))
    resources = changed["Resources"]
    queue = resources["TaskQueue"]["Properties"]
    queue["RedrivePolicy"]["maxReceiveCount"] = 2
    queue["VisibilityTimeout"] = 5
    worker = resources["WorkerFunction"]["Properties"]["Environment"]["Variables"]
    worker["OFFLOAD_MAX_ATTEMPTS"] = "10"
    del resources["WorkerFunctionTasks"]["Properties"]["FunctionResponseTypes"]
    to.write_text(json.dumps(changed, indent=1))
    return to


def test_a_template_that_would_lose_tasks_stops_start_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the application's template, miswired
    template = miswired(REPO_ROOT / "template.yaml", tmp_path / "template.json")
    state = tmp_path / "cloud.json"
    files = ["--state-file", str(state), "--outbox", str(tmp_path / "outbox")]

    # When the local cloud is asked to run it
    status = main(["up", "--template", str(template), *files, "--port", "0", "--aws-port", "0"])

    # Then it refuses on one line, naming each rule that fires and what to change
    [line] = [line for line in capsys.readouterr().err.splitlines() if "error" in line]
    assert status == 2
    assert line.startswith("error: template.json would lose or repeat tasks (offload.rules): ")
    assert "E9101 (line " in line
    assert "WorkerFunction gives up after OFFLOAD_MAX_ATTEMPTS=10 attempts but TaskQueue " in line
    assert "E9102 (line " in line
    assert "TaskQueue's VisibilityTimeout is under 6x WorkerFunction's Timeout: 5 s " in line
    assert "E9103 (line " in line
    assert "WorkerFunctionTasks feeds WorkerFunction from TaskQueue without " in line
    # And nothing was started
    assert not state.exists()
