"""`schedules`: the schedules of a running local cloud, with their next run; `schedules run
NAME` fires one now (its envelope on its queue, as when due)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from offload_local.commands.common import add_target_options, running_endpoint
from offload_local.errors import InfraError
from offload_local.scheduler.firing import find, fire, schedules

_BODY_PREVIEW = 200


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "schedules",
        help="EventBridge Scheduler schedules with their next run; `schedules run NAME` fires one",
    )
    add_target_options(parser)
    parser.add_argument("action", nargs="?", choices=["run"], help="fire a schedule now")
    parser.add_argument("name", nargs="?", help="the schedule to fire (with `run`)")
    parser.add_argument("--group", help="the schedule's group, if its name is in several")
    parser.set_defaults(run=run_schedules)


def run_schedules(args: argparse.Namespace) -> int:
    aws = running_endpoint(args)
    if args.action == "run":
        if not args.name:
            raise InfraError("schedules run needs the schedule's NAME (see `schedules`)")
        schedule = find(aws, args.name, args.group)
        body = fire(aws, schedule, datetime.now(UTC))
        print(f"fired {schedule.group}/{schedule.name} -> {schedule.queue_name}: {body}")
        return 0
    now = datetime.now(UTC)
    found = schedules(aws)
    width = max([len(f"{s.group}/{s.name}") for s in found] + [8])
    print(f"{'schedule':<{width}}  {'next run (UTC)':<20}  {'expression':<24}  target")
    for schedule in sorted(found, key=lambda s: (s.group, s.name)):
        due = (
            schedule.next_run(now)
            if not schedule.one_time
            else schedule.next_run(datetime(1970, 1, 1, tzinfo=UTC))
        )
        shown = due.strftime("%Y-%m-%d %H:%M:%S") if due is not None else "never"
        if schedule.state != "ENABLED":
            shown = schedule.state.lower()
        print(
            f"{schedule.group + '/' + schedule.name:<{width}}  {shown:<20}  "
            f"{schedule.expression:<24}  {schedule.queue_name}"
        )
    if not found:
        print("(no schedules)")
    return 0
