"""`queues`, `dlq` and `redrive`: the queues of a running local cloud."""

from __future__ import annotations

import argparse
import datetime

from offload_local.commands.common import add_target_options, running_endpoint
from offload_local.errors import InfraError
from offload_local.queues.listing import dead_letter_queues, list_queues, peek, source_of
from offload_local.queues.redrive import redrive

_BODY_PREVIEW = 300


def add_parsers(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("queues", help="depth of every queue, dead-letter queues marked")
    add_target_options(parser)
    parser.set_defaults(run=run_queues)

    parser = commands.add_parser(
        "dlq", help="messages in the dead-letter queues, with their attributes (reasons)"
    )
    add_target_options(parser)
    parser.add_argument("--queue", help="a queue name, URL or ARN (default: every DLQ)")
    parser.add_argument("--limit", type=int, default=50, help="most messages shown per queue")
    parser.set_defaults(run=run_dlq)

    parser = commands.add_parser(
        "redrive", help="move dead-letter messages back to their source queue"
    )
    add_target_options(parser)
    parser.add_argument("--queue", help="the dead-letter queue (default: every DLQ)")
    parser.add_argument("--to", help="the queue to move them to (default: the DLQ's source)")
    parser.add_argument(
        "--message",
        action="append",
        metavar="MESSAGE_ID",
        help="only this message (repeatable; as the console's Redrive button)",
    )
    parser.add_argument(
        "--stack",
        help="a deployed stack instead of the local cloud: start SQS's message move task for "
        "each of its dead-letter queues (your AWS credentials)",
    )
    parser.add_argument("--region", help="the deployed stack's region (default: your AWS's)")
    parser.set_defaults(run=run_redrive)


def run_queues(args: argparse.Namespace) -> int:
    aws = running_endpoint(args)
    queues = list_queues(aws)
    width = max([len(q.name) for q in queues] + [5])
    print(f"{'queue':<{width}}  visible  in flight  delayed  role")
    for queue in queues:
        if queue.is_dead_letter_queue:
            role = "dead-letter queue"
        elif queue.dead_letter_target:
            role = f"-> {queue.dead_letter_target.rsplit(':', 1)[-1]}"
        else:
            role = ""
        print(
            f"{queue.name:<{width}}  {queue.visible:>7}  {queue.in_flight:>9}  "
            f"{queue.delayed:>7}  {role}"
        )
    return 0


def run_dlq(args: argparse.Namespace) -> int:
    aws = running_endpoint(args)
    for queue in dead_letter_queues(aws, args.queue):
        messages = peek(aws, queue, args.limit)
        print(f"{queue.name}: {len(messages)} message(s)")
        for message in messages:
            system = message.get("Attributes", {})
            sent = int(system.get("SentTimestamp", "0")) / 1000
            when = datetime.datetime.fromtimestamp(sent, datetime.UTC).isoformat(timespec="seconds")
            print(
                f"- {message['MessageId']}  sent {when}  "
                f"received {system.get('ApproximateReceiveCount', '?')} time(s)"
            )
            for name, value in message.get("MessageAttributes", {}).items():
                shown = value.get("StringValue", f"<{value.get('DataType')}>")
                print(f"    {name}: {shown}")
            body = str(message.get("Body", ""))
            preview = body if len(body) <= _BODY_PREVIEW else body[:_BODY_PREVIEW] + "..."
            print(f"    body: {preview}")
    return 0


def run_redrive(args: argparse.Namespace) -> int:
    if args.stack:
        if args.message:
            raise InfraError("--message is for the local cloud; use the console with --stack")
        return _redrive_deployed(args)
    aws = running_endpoint(args)
    queues = list_queues(aws)
    for dead_letter in dead_letter_queues(aws, args.queue):
        target = source_of(dead_letter, queues, args.to)
        moved = redrive(aws, dead_letter, target, args.message)
        print(f"moved {moved} message(s) from {dead_letter.name} to {target.name}")
    return 0


def _redrive_deployed(args: argparse.Namespace) -> int:
    """Every dead-letter queue of the deployed stack (its AWS::SQS::Queue resources that another
    queue's redrive policy names), or the one --queue names, back to its source."""
    from offload_local.queues.redrive import start_redrive
    from offload_local.webconsole.stack import deployed_target

    target = deployed_target(args.stack, args.region)
    urls = list(target.view().of_type("AWS::SQS::Queue").values())
    chosen = [
        queue
        for queue in list_queues(target.clients, urls)
        if queue.is_dead_letter_queue and args.queue in (None, queue.name, queue.url, queue.arn)
    ]
    if not chosen:
        which = f" named {args.queue}" if args.queue else ""
        raise InfraError(f"stack {args.stack} has no dead-letter queue{which}")
    for queue in chosen:
        handle = start_redrive(target.client("sqs"), queue)
        print(f"started moving {queue.name}'s dead letters back to their source: {handle}")
    return 0
