"""`sam start-api` and `sam invoke`: the SAM CLI's local commands against the running local cloud.

Everything after `--` goes to the SAM CLI as it is (`-- --warm-containers LAZY --debug`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from offload_local.commands.common import add_state_file_option
from offload_local.commands.invoke import read_event
from offload_local.console import Console
from offload_local.errors import InfraError
from offload_local.sam.docker import DEFAULT_NETWORK
from offload_local.sam.session import SamLocal

#: Not sam's own 3000: the local cloud's HTTP API is there.
DEFAULT_PORT = 3001


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sam",
        help="run `sam local start-api` or `sam local invoke` against the running local cloud",
        description="Run the SAM CLI's local commands (functions in Docker containers, from the "
        "SAM build) with the running local cloud's resources: its queues, table, bucket, email "
        "and user pool. While the command runs, the containers reach the local cloud's AWS "
        "endpoint through a relay on the Docker network's gateway, and the API's requests are "
        "authorized with the local cloud's tokens. Build first: `sam build`.",
    )
    which = parser.add_subparsers(dest="sam_command", metavar="COMMAND", required=True)

    start_api = which.add_parser(
        "start-api",
        help="sam local start-api: the HTTP API on 127.0.0.1, until Ctrl-C",
        description="`sam local start-api` on http://127.0.0.1:PORT, authorized like the "
        "deployed API: every route but the public ones needs a token of the local cloud's "
        "user pool (`offload-local token EMAIL`).",
    )
    start_api.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port to serve on (default: %(default)s)"
    )
    _add_common(start_api)
    start_api.set_defaults(run=run_start_api)

    invoke = which.add_parser(
        "invoke",
        help="sam local invoke FUNCTION -e EVENT",
        description="`sam local invoke` of FUNCTION with the event file: its result on stdout, "
        "its logs on stderr.",
    )
    invoke.add_argument("function", help="logical id of the function (e.g. OffloadWorkerFunction)")
    invoke.add_argument("--event", "-e", required=True, help="event JSON file")
    _add_common(invoke)
    invoke.set_defaults(run=run_invoke)


def _add_common(parser: argparse.ArgumentParser) -> None:
    add_state_file_option(parser)
    parser.add_argument(
        "--docker-network",
        default=DEFAULT_NETWORK,
        help="Docker network of the containers (default: %(default)s)",
    )
    parser.add_argument("--sam", help="the SAM CLI to run (default: .venv-sam/bin/sam, or sam)")
    parser.add_argument(
        "sam_arguments", nargs="*", metavar="-- SAM_ARGUMENTS", help="passed to the SAM CLI"
    )


def _session(args: argparse.Namespace) -> SamLocal:
    return SamLocal(args.state_file, Console(), network=args.docker_network, sam_cli=args.sam)


def run_start_api(args: argparse.Namespace) -> int:
    with _session(args) as sam:
        arguments = ["start-api", "--host", "127.0.0.1", "--port", str(args.port)]
        if args.docker_network != DEFAULT_NETWORK:
            arguments += ["--docker-network", args.docker_network]
        return sam.run([*arguments, *args.sam_arguments])


def run_invoke(args: argparse.Namespace) -> int:
    if args.event == "-":
        raise InfraError("`sam local invoke` is given the event as a file: name one with -e")
    event = read_event(args.event)
    with _session(args) as sam:
        sam.check_event(args.function, event, args.event)
        arguments = ["invoke", args.function, "--event", str(Path(args.event).resolve())]
        if args.docker_network != DEFAULT_NETWORK:
            arguments += ["--docker-network", args.docker_network]
        return sam.run([*arguments, *args.sam_arguments])
