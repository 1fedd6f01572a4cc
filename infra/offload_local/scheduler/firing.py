"""Firing schedules: the schedule's input, with the scheduler's context attributes filled in,
sent to its target queue; a one-time schedule whose ActionAfterCompletion is DELETE is then
deleted, as EventBridge Scheduler does. SchedulerEmulator fires every schedule when due."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from offload.expressions import At, parse, time_zone
from offload.expressions import Schedule as Expression
from offload_local.aws.endpoint import AwsEndpoint
from offload_local.console import Console
from offload_local.errors import InfraError

logger = logging.getLogger(__name__)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: How often the emulator looks for due schedules (EventBridge Scheduler fires to the minute).
TICK_SECONDS = 1.0


@dataclass(frozen=True)
class Schedule:
    """A schedule as moto stores it."""

    name: str
    group: str
    arn: str
    expression: str
    timezone: str
    state: str
    target: dict[str, Any]
    created: datetime
    action_after_completion: str | None

    @classmethod
    def of(cls, stored: dict[str, Any]) -> Schedule:
        created = stored.get("CreationDate")
        return cls(
            name=str(stored["Name"]),
            group=str(stored.get("GroupName") or "default"),
            arn=str(stored["Arn"]),
            expression=str(stored["ScheduleExpression"]),
            timezone=str(stored.get("ScheduleExpressionTimezone") or "UTC"),
            state=str(stored.get("State") or "ENABLED"),
            target=dict(stored["Target"]),
            created=created if isinstance(created, datetime) else datetime.now(UTC),
            action_after_completion=stored.get("ActionAfterCompletion"),
        )

    @cached_property
    def parsed(self) -> Expression:
        return parse(self.expression)

    @property
    def one_time(self) -> bool:
        return isinstance(self.parsed, At)

    @property
    def queue_name(self) -> str:
        return str(self.target["Arn"]).rsplit(":", 1)[-1]

    def next_run(self, after: datetime) -> datetime | None:
        if self.state != "ENABLED":
            return None
        """When it is next due strictly after `after` (None: never again). A rate counts from
        the schedule's creation; at() and cron() read in the schedule's time zone."""
        return self.parsed.next_run(after, start=self.created, zone=time_zone(self.timezone))

    def body(self, scheduled_time: datetime) -> str:
        """The target's input as the scheduler sends it (its context attributes filled in)."""
        values = {
            "<aws.scheduler.schedule-arn>": self.arn,
            "<aws.scheduler.scheduled-time>": scheduled_time.astimezone(UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ"
            ),
            "<aws.scheduler.execution-id>": secrets.token_hex(8),
            "<aws.scheduler.attempt-number>": "1",
        }
        text = str(self.target.get("Input", ""))
        for key, value in values.items():
            text = text.replace(key, value)
        return text


def schedules(aws: AwsEndpoint) -> list[Schedule]:
    """Every schedule of every group, in full."""
    client = aws.client("scheduler")
    found: list[Schedule] = []
    for summary in client.list_schedules().get("Schedules", []):
        try:
            stored = client.get_schedule(Name=summary["Name"], GroupName=summary["GroupName"])
        except client.exceptions.ResourceNotFoundException:
            continue  # fired and deleted meanwhile
        found.append(Schedule.of(stored))
    return found


def find(aws: AwsEndpoint, name: str, group: str | None = None) -> Schedule:
    matching = [s for s in schedules(aws) if s.name == name and group in (None, s.group)]
    if not matching:
        raise InfraError(f"no schedule {name!r}" + (f" in group {group!r}" if group else ""))
    if len(matching) > 1:
        groups = ", ".join(s.group for s in matching)
        raise InfraError(f"schedule {name!r} is in several groups ({groups}): pass --group")
    return matching[0]


def fire(aws: AwsEndpoint, schedule: Schedule, scheduled_time: datetime) -> str:
    """Send the schedule's input to its queue; returns the body sent."""
    arn = str(schedule.target["Arn"])
    if ":sqs:" not in arn:
        raise InfraError(f"schedule {schedule.name}: only SQS targets run locally, not {arn}")
    sqs = aws.client("sqs")
    url = sqs.get_queue_url(QueueName=schedule.queue_name)["QueueUrl"]
    body = schedule.body(scheduled_time)
    sqs.send_message(QueueUrl=url, MessageBody=body)
    if schedule.one_time and schedule.action_after_completion == "DELETE":
        try:
            aws.client("scheduler").delete_schedule(Name=schedule.name, GroupName=schedule.group)
        except Exception as exc:
            logger.warning("could not delete fired schedule %s: %s", schedule.name, exc)
    return body


class SchedulerEmulator:
    """Fires each schedule of the endpoint when due, on a thread, until stopped. `clock` is the
    time it fires by (tests move it)."""

    def __init__(
        self,
        aws: AwsEndpoint,
        console: Console,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._aws = aws
        self._console = console
        self._clock = clock
        self._since: dict[str, datetime] = {}
        self._started = clock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="scheduler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def fire_due(self, now: datetime | None = None) -> list[tuple[Schedule, str]]:
        """Fire every schedule due by `now` (default: the clock); returns what was sent."""
        moment = now or self._clock()
        fired: list[tuple[Schedule, str]] = []
        with self._lock:
            for schedule in schedules(self._aws):
                # Periodic schedules count from when the local cloud started: a daily task is
                # not fired for every day before it.
                since = self._since.get(schedule.arn, max(self._started, schedule.created))
                due = schedule.next_run(
                    since if not schedule.one_time else datetime.min.replace(tzinfo=UTC)
                )
                if due is None or due > moment:
                    continue
                body = fire(self._aws, schedule, due)
                self._since[schedule.arn] = due
                self._console.line("scheduler", f"fired {schedule.group}/{schedule.name}")
                fired.append((schedule, body))
        return fired

    def _run(self) -> None:
        while not self._stopping.wait(TICK_SECONDS):
            try:
                self.fire_due()
            except Exception as exc:
                # The endpoint going away at shutdown, say: try again next tick.
                logger.debug("scheduler tick failed: %s", exc)
