"""`outbox`: the emails the functions sent, from the outbox folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from offload_local.email.outbox import DEFAULT_OUTBOX, list_outbox


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("outbox", help="list the emails sent through the local SES")
    parser.add_argument("--outbox", type=Path, default=DEFAULT_OUTBOX, help="folder of .eml files")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    entries = list_outbox(args.outbox)
    if not entries:
        print(f"no emails in {args.outbox}/", file=sys.stderr)
        return 0
    for entry in entries:
        through = ""
        if entry.configuration_set:
            through = f"  (configuration set {entry.configuration_set})"
        print(
            f"{entry.date}  {entry.sender} -> {entry.to}  {entry.subject!r}{through}  {entry.path}"
        )
    return 0
