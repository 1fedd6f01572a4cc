"""`console`: the operator's console in a browser, for the local cloud or a deployed stack."""

from __future__ import annotations

import argparse
import signal
import threading
from types import FrameType

from offload_local.commands.common import add_target_options
from offload_local.template.translation import DEFAULT_REGION
from offload_local.webconsole.server import DEFAULT_PORT, ConsoleServer
from offload_local.webconsole.stack import Target, deployed_target, local_target


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "console",
        help="the operator's console on 127.0.0.1: tasks, queues, failures, dead letters, alarms",
        description="Serve the console on 127.0.0.1 for the running local cloud, or, with "
        "--stack, for a deployed stack read with your own AWS credentials.",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="0 for any free port (default: %(default)s)"
    )
    parser.add_argument(
        "--stack", help="a deployed stack's name (your AWS credentials; default: the local cloud)"
    )
    parser.add_argument("--region", help="the stack's region (default: your AWS configuration's)")
    add_target_options(parser)
    parser.set_defaults(run=run)


def target_of(args: argparse.Namespace) -> Target:
    if args.stack:
        return deployed_target(args.stack, args.region)
    return local_target(args.state_file, args.aws_endpoint, args.region or DEFAULT_REGION)


def run(args: argparse.Namespace) -> int:
    server = ConsoleServer(target_of(args), port=args.port)
    server.start()
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    what = f"stack {args.stack}" if args.stack else "the local cloud"
    print(f"Console for {what}: {server.url}/   (Ctrl-C stops it)", flush=True)
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        server.stop()
    return 0
