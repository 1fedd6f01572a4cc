"""One-time schedules in EventBridge Scheduler (moto stores them; the local cloud fires them)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from offload import EnqueueError, Envelope, TaskRegistry
from offload.schedules import EventBridgeSchedules, at_expression
from tests.moto_aws import REGION, use_fake_credentials

GROUP = "tasks"
ROLE = "arn:aws:iam::123456789012:role/scheduler"
QUEUES = {
    "default": "arn:aws:sqs:us-east-1:123456789012:TaskQueue",
    "heavy": "arn:aws:sqs:us-east-1:123456789012:HeavyTaskQueue",
}
registry = TaskRegistry()
registry.register("remind", lambda: None)
registry.register("thumbnail", lambda: None, queue="heavy")


@pytest.fixture
def scheduler(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        client = boto3.client("scheduler", region_name=REGION)
        client.create_schedule_group(Name=GROUP)
        yield client


def schedules(client: Any) -> EventBridgeSchedules:
    return EventBridgeSchedules(GROUP, ROLE, QUEUES.get, registry, lambda: client)


def test_a_schedule_puts_the_envelope_on_the_tasks_queue_once_and_deletes_itself(
    scheduler: Any,
) -> None:
    due = datetime.now(UTC) + timedelta(hours=2)
    envelope = Envelope(task="thumbnail", due_at=due, owner="u1")

    schedules(scheduler).send([envelope])

    made = scheduler.get_schedule(Name=envelope.id, GroupName=GROUP)
    assert made["ScheduleExpression"] == at_expression(due)
    assert made["ScheduleExpressionTimezone"] == "UTC"
    assert made["ActionAfterCompletion"] == "DELETE"
    assert made["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert made["Target"]["Arn"] == QUEUES["heavy"]
    assert made["Target"]["RoleArn"] == ROLE
    assert Envelope.from_body(made["Target"]["Input"]) == envelope
    assert json.loads(made["Target"]["Input"])["due_at"]


def test_deleting_a_schedule_that_already_fired_is_not_an_error(scheduler: Any) -> None:
    envelope = Envelope(task="remind", due_at=datetime.now(UTC) + timedelta(hours=2))
    schedules(scheduler).send([envelope])

    schedules(scheduler).delete(envelope.id)
    schedules(scheduler).delete(envelope.id)

    assert scheduler.list_schedules(GroupName=GROUP)["Schedules"] == []


def test_a_refusal_midway_takes_back_the_schedules_already_made(scheduler: Any) -> None:
    due = datetime.now(UTC) + timedelta(hours=2)
    first, second = Envelope(task="remind", due_at=due), Envelope(task="remind", due_at=due)
    # The same name twice: the scheduler refuses the second (ConflictException).
    second = second.model_copy(update={"id": first.id + "x"})
    scheduler.create_schedule(
        Name=second.id,
        GroupName=GROUP,
        ScheduleExpression=at_expression(due),
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": QUEUES["default"], "RoleArn": ROLE, "Input": "{}"},
    )

    with pytest.raises(EnqueueError) as refused:
        schedules(scheduler).send([first, second])

    assert set(refused.value.task_ids) == {first.id, second.id}
    names = [s["Name"] for s in scheduler.list_schedules(GroupName=GROUP)["Schedules"]]
    assert names == [second.id]


def test_at_expressions_are_utc_and_never_early() -> None:
    due = datetime(2026, 12, 1, 14, 30, 5, 1000, tzinfo=UTC)
    assert at_expression(due) == "at(2026-12-01T14:30:06)"
    assert at_expression(due.replace(microsecond=0)) == "at(2026-12-01T14:30:05)"
