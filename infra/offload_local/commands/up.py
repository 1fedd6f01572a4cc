"""`up`: run the whole template locally until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path
from types import FrameType

from offload_local.aws.server import DEFAULT_AWS_PORT
from offload_local.banner import banner
from offload_local.cloud import CloudOptions, LocalCloud
from offload_local.commands.common import add_template_options, stack_settings
from offload_local.console import Console
from offload_local.email.outbox import DEFAULT_OUTBOX
from offload_local.functions.build import DEFAULT_BUILD_DIR, project_build
from offload_local.functions.pool import DEFAULT_MAX_CONCURRENCY
from offload_local.gateway.server import DEFAULT_PORT
from offload_local.state import DEFAULT_STATE_FILE, remove_state, write_state
from offload_local.webconsole.server import DEFAULT_PORT as DEFAULT_CONSOLE_PORT
from offload_local.webconsole.server import ConsoleServer
from offload_local.webconsole.stack import local_target


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "up",
        help="run the template locally: AWS endpoint, HTTP API, functions, queues (default)",
        description="Start moto's server, provision every resource of the template into it, "
        "and run the HTTP API gateway, the functions and the event source mappings until "
        "Ctrl-C.",
    )
    add_template_options(parser)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="HTTP API port (default: %(default)s)"
    )
    parser.add_argument(
        "--aws-port",
        type=int,
        default=DEFAULT_AWS_PORT,
        help="AWS endpoint port, 0 for any free one (default: %(default)s)",
    )
    parser.add_argument(
        "--env-vars", type=Path, help="JSON file of environment overrides (sam's format)"
    )
    parser.add_argument(
        "--outbox", type=Path, default=DEFAULT_OUTBOX, help="folder for sent emails (.eml)"
    )
    parser.add_argument(
        "--from-build",
        type=Path,
        nargs="?",
        # Given without a folder: the project's build, beside its template.
        const="",
        metavar="BUILD_DIR",
        help=f"run the functions from `sam build`'s output (default folder: {DEFAULT_BUILD_DIR} "
        "beside the template), with only what it ships importable, instead of from the source "
        "tree",
    )
    parser.add_argument(
        "--max-concurrency",
        type=int,
        default=DEFAULT_MAX_CONCURRENCY,
        help="most processes per function (default: %(default)s)",
    )
    parser.add_argument(
        "--console-port",
        type=int,
        default=DEFAULT_CONSOLE_PORT,
        help="the operator's console's port, 0 for any free one, -1 for no console "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        default=DEFAULT_STATE_FILE,
        help="where to record the endpoints for other commands (default: %(default)s)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    console = Console()
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    settings = stack_settings(args)
    cloud = LocalCloud(
        CloudOptions(
            template=args.template,
            parameter_overrides=settings.parameter_overrides,
            port=args.port,
            aws_port=args.aws_port,
            region=settings.region,
            stack_name=settings.stack_name,
            outbox=args.outbox,
            env_vars=args.env_vars,
            max_concurrency=args.max_concurrency,
            from_build=(
                None
                if args.from_build is None
                else project_build(args.template, args.from_build or None)
            ),
        ),
        console,
    )
    console.write(f"Starting the local cloud from {args.template} ...\n")
    cloud.start()
    operator: ConsoleServer | None = None
    if args.console_port >= 0:
        operator = ConsoleServer(
            local_target(args.state_file, cloud.aws_url, settings.region), port=args.console_port
        )
        try:
            operator.start()
        except BaseException:
            cloud.stop()
            raise
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        write_state(args.state_file, cloud.state())
        console.write(banner(cloud, operator.url if operator is not None else None))
        while not stopping.wait(0.5):
            pass
        console.write("\nStopping ...\n")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        remove_state(args.state_file, os.getpid())
        if operator is not None:
            operator.stop()
        cloud.stop()
    console.write("Stopped.\n")
    return 0
