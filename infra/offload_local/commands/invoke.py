"""`invoke FUNCTION -e event.json`: what `sam local invoke` does, without Docker.

The function needs its AWS resources. When a local cloud is running (its state file answers,
or --aws-endpoint is given) the stack is provisioned into it, which finds the existing
resources; otherwise an AWS endpoint is started for this one invocation and stopped after.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from offload_local.cloud import LocalCloud
from offload_local.commands.common import (
    add_target_options,
    add_template_options,
    one_off,
    stack_settings,
)
from offload_local.console import Console
from offload_local.email.outbox import DEFAULT_OUTBOX, OutboxWatcher
from offload_local.errors import InfraError, NoCloudRunningError
from offload_local.functions.triggers import check_event
from offload_local.state import read_state


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "invoke",
        help="invoke one function with an event file, as `sam local invoke`",
        description="Invoke FUNCTION (logical id, e.g. OffloadWorkerFunction) once with the event "
        "and print its result (or error) as JSON on stdout; logs go to stderr. Exit status 1 if "
        "the invocation failed.",
    )
    parser.add_argument("function", help="logical id of the function (e.g. OffloadWorkerFunction)")
    parser.add_argument(
        "--event", "-e", required=True, help="event JSON file, or - to read it from stdin"
    )
    parser.add_argument("--env-vars", type=Path, help="JSON file of environment overrides")
    add_template_options(parser)
    add_target_options(parser)
    parser.add_argument(
        "--outbox", type=Path, default=DEFAULT_OUTBOX, help="folder for sent emails (.eml)"
    )
    parser.set_defaults(run=run)


def read_event(source: str) -> Any:
    if source == "-":
        text = sys.stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise InfraError(f"event file {source} not found")
        text = path.read_text()
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InfraError(f"event {source} is not valid JSON: {exc}") from None


def run(args: argparse.Namespace) -> int:
    event = read_event(args.event)
    endpoint = args.aws_endpoint
    if endpoint is None:
        try:
            endpoint = read_state(args.state_file).aws_endpoint
        except NoCloudRunningError:
            endpoint = None  # start an endpoint of our own
    console = Console()
    options = one_off(stack_settings(args), args.template, endpoint, args.env_vars)
    cloud = LocalCloud(options, console)
    with cloud:
        function = cloud.deployment.function(args.function)
        check_event(cloud.deployment, function.logical_id, event, args.event)
        outbox = None
        if endpoint is None:
            # Our own endpoint: nobody else shows the emails this invocation sends.
            stack = cloud.deployment.stack
            outbox = OutboxWatcher(
                args.outbox, console, cloud.aws_url, stack.account_id, stack.region
            )
            outbox.folder.mkdir(parents=True, exist_ok=True)
        invocation = cloud.invoke(function.logical_id, event)
        if outbox is not None:
            outbox.poll()
    payload = invocation.result if invocation.error is None else invocation.error.payload()
    print(json.dumps(payload, indent=2))
    return 0 if invocation.ok else 1
