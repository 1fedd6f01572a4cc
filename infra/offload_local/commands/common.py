"""Options and lookups shared by the subcommands."""

from __future__ import annotations

import argparse
from pathlib import Path

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.state import DEFAULT_STATE_FILE, read_state
from offload_local.template.parameters import parse_overrides
from offload_local.template.translation import DEFAULT_REGION, DEFAULT_TEMPLATE


def add_template_options(parser: argparse.ArgumentParser) -> None:
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
        default=[],
        metavar="KEY=VALUE",
        help="template parameters, as for `sam deploy` (e.g. WorkerTimeout=5 MaxReceiveCount=5)",
    )
    parser.add_argument(
        "--region", default=DEFAULT_REGION, help="AWS region to emulate (default: %(default)s)"
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


def overrides(args: argparse.Namespace) -> dict[str, str]:
    return parse_overrides(args.parameter_overrides)


def running_endpoint(args: argparse.Namespace) -> AwsEndpoint:
    """The AWS endpoint of the running local cloud (given, or from its state file)."""
    if args.aws_endpoint:
        return AwsEndpoint(args.aws_endpoint.rstrip("/"), getattr(args, "region", DEFAULT_REGION))
    state = read_state(args.state_file)
    return AwsEndpoint(state.aws_endpoint, state.region)
