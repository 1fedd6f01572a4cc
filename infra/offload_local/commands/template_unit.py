"""`template-unit`: print the template unit (offload/sam/offload.yaml, shipped with the library),
to start a project's template.yaml with or to copy from:

    offload-local template-unit > template.yaml
"""

from __future__ import annotations

import argparse
import sys
from importlib.resources import files

#: Where the library keeps it: package data of `offload`, never in a Lambda build.
UNIT = ("sam", "offload.yaml")


def unit_text() -> str:
    """The template unit, as the installed library ships it."""
    return files("offload").joinpath(*UNIT).read_text(encoding="utf-8")


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "template-unit",
        help="print the SAM template unit offload needs (queues, worker, table, alarms ...)",
        description="Write the library's template unit to stdout: the task queue and its "
        "dead-letter queue, the worker function and its event source mapping, the tasks' "
        "table, the schedule group and the scheduler's role, the alarms and their topic, and "
        "the block to paste into your API function. Copy it into your template.yaml once; "
        "it is yours from then on (`cfn-lint template.yaml --append-rules offload.rules` "
        "checks the wiring).",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(unit_text())
    return 0
