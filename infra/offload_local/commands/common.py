"""Options and lookups shared by the subcommands."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.cloud import CloudOptions
from offload_local.samconfig import DEFAULT_CONFIG_ENV, DEFAULT_CONFIG_FILE, read_samconfig
from offload_local.state import DEFAULT_STATE_FILE, read_state
from offload_local.template.overrides import parse_overrides
from offload_local.template.stack import DEFAULT_STACK_NAME
from offload_local.template.translation import DEFAULT_REGION, DEFAULT_TEMPLATE


def add_template_options(parser: argparse.ArgumentParser) -> None:
    """The stack to run: its template, and the settings `sam deploy` takes for it (from the
    command line, else from samconfig.toml, else the local defaults)."""
    parser.add_argument(
        "--template",
        "-t",
        type=Path,
        default=DEFAULT_TEMPLATE,
        help="SAM template to run (default: %(default)s)",
    )
    parser.add_argument(
        "--parameter-overrides",
        nargs="+",
        metavar="KEY=VALUE",
        help="template parameters, as for `sam deploy` (e.g. OffloadWorkerTimeout=5 "
        "OffloadMaxAttempts=5, ParameterKey=K,ParameterValue=V, file://params.toml; default: "
        "samconfig's)",
    )
    parser.add_argument(
        "--region",
        help=f"AWS region to emulate (default: samconfig's, else {DEFAULT_REGION})",
    )
    parser.add_argument(
        "--stack-name",
        help=f"prefix of resource names (default: samconfig's, else {DEFAULT_STACK_NAME})",
    )
    parser.add_argument(
        "--config-file",
        help=f"the SAM CLI's config file, beside the template (default: {DEFAULT_CONFIG_FILE})",
    )
    parser.add_argument(
        "--config-env",
        help=f"its environment whose deploy settings apply (default: {DEFAULT_CONFIG_ENV})",
    )


@dataclass(frozen=True)
class StackSettings:
    """What the stack is called, where, and with which parameter overrides."""

    stack_name: str
    region: str
    parameter_overrides: dict[str, str]


def stack_settings(args: argparse.Namespace) -> StackSettings:
    """Each setting from its flag, else from samconfig.toml (as `sam deploy` reads it), else the
    local cloud's default. Overrides given on the command line replace samconfig's, as in the
    SAM CLI."""
    config = read_samconfig(args.template, args.config_file, args.config_env)
    overrides = (
        args.parameter_overrides
        if args.parameter_overrides is not None
        else config.get("parameter_overrides", [])
    )
    return StackSettings(
        stack_name=args.stack_name or config.get("stack_name") or DEFAULT_STACK_NAME,
        region=args.region or config.get("region") or DEFAULT_REGION,
        parameter_overrides=parse_overrides(overrides),
    )


def one_off(
    settings: StackSettings, template: Path, aws_endpoint: str | None, env_vars: Path | None = None
) -> CloudOptions:
    """A local cloud for one command (invoke, sam): it provisions the stack into an AWS endpoint,
    the running one given or else its own on any free port, and neither serves nor prewarms."""
    return CloudOptions(
        template=template,
        parameter_overrides=settings.parameter_overrides,
        region=settings.region,
        stack_name=settings.stack_name,
        env_vars=env_vars,
        serve=False,
        prewarm=False,
        aws_endpoint=aws_endpoint,
        aws_port=0,
    )


def add_target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aws-endpoint",
        help="AWS endpoint of a running local cloud (default: the one in --state-file)",
    )
    add_state_file_option(parser)


def add_state_file_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--state-file",
        type=Path,
        default=DEFAULT_STATE_FILE,
        help="where `up` records its endpoints (default: %(default)s)",
    )


def running_endpoint(args: argparse.Namespace) -> AwsEndpoint:
    """The AWS endpoint of the running local cloud (given, or from its state file)."""
    if args.aws_endpoint:
        region = getattr(args, "region", None) or DEFAULT_REGION
        return AwsEndpoint(args.aws_endpoint.rstrip("/"), region)
    state = read_state(args.state_file)
    return AwsEndpoint(state.aws_endpoint, state.region)
