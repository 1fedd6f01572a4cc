"""`offload-local`: the local cloud's command line (argparse; `up` when no command is
given)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from offload_local.commands import (
    console,
    invoke,
    outbox,
    queues,
    sam,
    schedules,
    template_unit,
    token,
    up,
)
from offload_local.errors import InfraError
from offload_local.template.translation import TemplateError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="offload-local",
        description="Run template.yaml on this machine: moto for the AWS APIs, local emulators "
        "for the HTTP API, the Lambda functions and the SQS event source mappings. No Docker, "
        "no AWS account.",
        epilog="Without a command, `up` runs. `offload-local COMMAND --help` tells more.",
    )
    commands = root.add_subparsers(dest="command", metavar="COMMAND")
    up.add_parser(commands)
    invoke.add_parser(commands)
    queues.add_parsers(commands)
    outbox.add_parser(commands)
    token.add_parser(commands)
    schedules.add_parser(commands)
    console.add_parser(commands)
    sam.add_parser(commands)
    template_unit.add_parser(commands)
    # What main() takes for a command: the names the commands registered.
    root.set_defaults(commands=frozenset(commands.choices))
    return root


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    root = parser()
    known = root.get_default("commands")
    if not arguments or (arguments[0] not in known and arguments[0] not in ("-h", "--help")):
        arguments.insert(0, "up")
    args = root.parse_args(arguments)
    try:
        status: int = args.run(args)
    except (InfraError, TemplateError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return status
