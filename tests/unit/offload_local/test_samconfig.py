"""samconfig.toml read as `sam deploy` reads it: which file, which environment, the deploy
table over the global one, and a refusal for what the SAM CLI would not read."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from offload_local.errors import SamConfigError
from offload_local.samconfig import read_samconfig

REPO_ROOT = Path(__file__).resolve().parents[3]

SAMCONFIG = """
version = 0.1

[default.global.parameters]
stack_name = "shared"
region = "eu-west-1"

[default.deploy.parameters]
stack_name = "deployed"
parameter_overrides = "SenderEmail=\\"you@example.com\\" WorkerTimeout=30"

[default.local_start_api.parameters]
region = "ap-south-1"
parameter_overrides = "LogLevel=DEBUG"

[dev.deploy.parameters]
stack_name = "dev-stack"
parameter_overrides = ["LogLevel=DEBUG"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Callable[[str, str], Path]:
    """A template, with a config file beside it; returns the template."""

    def write(text: str, name: str = "samconfig.toml") -> Path:
        (tmp_path / name).write_text(textwrap.dedent(text))
        template = tmp_path / "template.yaml"
        template.write_text("Resources: {}\n")
        return template

    return write


def test_the_deploy_settings_win_over_the_global_ones(project: Callable[..., Path]) -> None:
    # The other commands' tables (local_start_api) are not deploy's: they change nothing.
    assert read_samconfig(project(SAMCONFIG)) == {
        "stack_name": "deployed",
        "region": "eu-west-1",
        "parameter_overrides": 'SenderEmail="you@example.com" WorkerTimeout=30',
    }


def test_another_environment_and_another_file(project: Callable[..., Path], tmp_path: Path) -> None:
    template = project(SAMCONFIG, "samconfig.local.toml")

    assert read_samconfig(template, "samconfig.local.toml", "dev") == {
        "stack_name": "dev-stack",
        "parameter_overrides": ["LogLevel=DEBUG"],
    }
    assert read_samconfig(template, str(tmp_path / "samconfig.local.toml"), "dev") == {
        "stack_name": "dev-stack",
        "parameter_overrides": ["LogLevel=DEBUG"],
    }
    # No samconfig.toml beside the template: nothing to apply.
    assert read_samconfig(template) == {}


def test_this_projects_samconfig_names_the_stack() -> None:
    assert read_samconfig(REPO_ROOT / "template.yaml") == {
        "stack_name": "fastapi-offload",
        "region": "us-east-1",
    }


@pytest.mark.parametrize(
    ("text", "config_file", "config_env", "message"),
    [
        (SAMCONFIG, "missing.toml", None, "config file missing.toml does not exist"),
        (SAMCONFIG, None, "prod", r"has no environment 'prod' \(environments: default, dev\)"),
        ("[default.deploy.parameters]\n", None, None, "'version' \\(0.1\\) is missing"),
        ('version = "0.1"\n', None, None, "'version' \\(0.1\\) is missing or not a number"),
        ("version = 0.1\n[default\n", None, None, "samconfig.toml: "),
        (
            "version = 0.1\n[default.deploy.parameters]\nstack_name = 3\n",
            None,
            None,
            "stack_name is not a string",
        ),
        ("version = 0.1\n[default]\ndeploy = 1\n", None, None, "deploy is not a table"),
    ],
)
def test_a_config_the_sam_cli_would_not_read_is_refused(
    project: Callable[..., Path],
    text: str,
    config_file: str | None,
    config_env: str | None,
    message: str,
) -> None:
    with pytest.raises(SamConfigError, match=message):
        read_samconfig(project(text), config_file, config_env)


def test_only_toml_is_read(project: Callable[..., Path]) -> None:
    template = project("version: 0.1\n", "samconfig.yaml")

    with pytest.raises(SamConfigError, match="only TOML is read"):
        read_samconfig(template, "samconfig.yaml")
