"""samconfig.toml: a project's settings for the SAM CLI, read as `sam deploy` reads them, so the
local cloud runs the stack `sam deploy` would deploy: its name, region and parameter overrides.

As the SAM CLI does (samcli.cli.cli_config_file, samcli.lib.config.samconfig): the file is
samconfig.toml in the template's folder, or `--config-file` (relative to that folder); it must
say `version = 0.1`; the environment is `--config-env` (`default`); each setting comes from
`[<env>.deploy.parameters]`, else from `[<env>.global.parameters]`. A flag on the command line
wins over both (offload_local.commands.common). Unlike the SAM CLI, a `--config-env` the file
does not have is an error rather than no settings at all, and only TOML is read.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from offload_local.errors import SamConfigError

DEFAULT_CONFIG_FILE = "samconfig.toml"
DEFAULT_CONFIG_ENV = "default"
#: The SAM CLI command whose settings the local cloud takes, and its shared ones.
COMMAND, GLOBAL = "deploy", "global"
#: Those of its settings the local cloud applies.
SETTINGS = ("stack_name", "region", "parameter_overrides")


def read_samconfig(
    template: Path, config_file: str | None = None, config_env: str | None = None
) -> dict[str, Any]:
    """`sam deploy`'s stack_name, region and parameter_overrides from the project's samconfig
    (those it sets); nothing when there is no samconfig.toml and none was named."""
    path = Path(config_file or DEFAULT_CONFIG_FILE)
    if not path.is_absolute():
        path = template.resolve().parent / path
    if not path.is_file():
        if config_file is None:
            return {}
        raise SamConfigError(f"config file {config_file} does not exist or could not be read")
    if path.suffix != ".toml":
        raise SamConfigError(f"config file {path}: only TOML is read (samconfig.toml)")
    try:
        document = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SamConfigError(f"config file {path}: {exc}") from None
    if not isinstance(document.get("version"), float):
        raise SamConfigError(f"config file {path}: 'version' (0.1) is missing or not a number")
    env = config_env or DEFAULT_CONFIG_ENV
    if config_env is not None and env not in document:
        environments = sorted(k for k, v in document.items() if isinstance(v, dict))
        raise SamConfigError(
            f"config file {path} has no environment {env!r} "
            f"(environments: {', '.join(environments) or 'none'})"
        )
    commands = _table(document, env, path)
    settings = {
        **_table(_table(commands, GLOBAL, path), "parameters", path),
        **_table(_table(commands, COMMAND, path), "parameters", path),
    }
    for name in ("stack_name", "region"):
        if name in settings and not isinstance(settings[name], str):
            raise SamConfigError(f"config file {path}: {name} is not a string")
    return {name: settings[name] for name in SETTINGS if name in settings}


def _table(parent: Mapping[str, Any], key: str, path: Path) -> Mapping[str, Any]:
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise SamConfigError(f"config file {path}: {key} is not a table")
    return value
