"""offload.schedules: a one-time schedule per task, in the stack's group, sending the envelope
to the queue its task names, when due (moto's EventBridge Scheduler stores; it never fires)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from offload import EnqueueError, Envelope, TaskRegistry
from offload.schedules import EventBridgeSchedules, at_expression

GROUP = "stack-tasks"
ROLE = "arn:aws:iam::123456789012:role/scheduler"
ARNS = {
    "default": "arn:aws:sqs:us-east-1:123456789012:TaskQueue",
    "heavy": "arn:aws:sqs:us-east-1:123456789012:HeavyTaskQueue",
}
DUE = datetime(2027, 3, 1, 9, 30, 0, 250_000, tzinfo=UTC)

registry = TaskRegistry()


@registry.task("quick")
def quick(n: int) -> None: ...


@registry.task("slow", queue="heavy")
def slow() -> None: ...


@pytest.fixture
def scheduler(aws: Any) -> Any:
    client = aws("scheduler")
    client.create_schedule_group(Name=GROUP)
    return client


def schedules(client: Any, arns: dict[str, str] = ARNS) -> EventBridgeSchedules:
    return EventBridgeSchedules(GROUP, ROLE, arns.get, registry, lambda: client)


def names(client: Any) -> list[str]:
    return sorted(s["Name"] for s in client.list_schedules(GroupName=GROUP)["Schedules"])


def test_each_task_gets_a_schedule_to_its_own_queue(scheduler: Any) -> None:
    now = Envelope(task="quick", args=[1], due_at=DUE)
    heavy = Envelope(task="slow", due_at=DUE + timedelta(days=1))

    tokens: list[str] = []
    scheduler.meta.events.register(
        "provide-client-params.scheduler.CreateSchedule",
        lambda params, **_: tokens.append(params["ClientToken"]),
    )

    schedules(scheduler).send([now, heavy])

    # A retried create is the same schedule, not a second one.
    assert tokens == [now.id, heavy.id]
    assert names(scheduler) == sorted([now.id, heavy.id])
    made = scheduler.get_schedule(Name=now.id, GroupName=GROUP)
    assert made["ScheduleExpression"] == "at(2027-03-01T09:30:01)"
    assert made["ScheduleExpressionTimezone"] == "UTC"
    assert made["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert made["ActionAfterCompletion"] == "DELETE"
    assert made["Target"]["Arn"] == ARNS["default"]
    assert made["Target"]["RoleArn"] == ROLE
    assert Envelope.from_body(made["Target"]["Input"]) == now
    other = scheduler.get_schedule(Name=heavy.id, GroupName=GROUP)
    assert other["Target"]["Arn"] == ARNS["heavy"]
    assert json.loads(other["Target"]["Input"])["task"] == "slow"


def test_a_refusal_takes_back_what_was_made_and_names_every_task(scheduler: Any) -> None:
    made = Envelope(task="quick", args=[1], due_at=DUE)
    unroutable = Envelope(task="slow", due_at=DUE)

    with pytest.raises(EnqueueError) as refused:
        schedules(scheduler, {"default": ARNS["default"]}).send([made, unroutable])

    assert refused.value.task_ids == [made.id, unroutable.id]
    assert str(refused.value) == (
        "could not schedule task slow: EnqueueError: no ARN is configured for queue 'heavy'"
    )
    assert names(scheduler) == []


def test_an_envelope_without_a_due_time_is_refused(scheduler: Any) -> None:
    with pytest.raises(EnqueueError, match="has no due time"):
        schedules(scheduler).send([Envelope(task="quick", args=[1])])


def test_deleting_a_schedule_that_is_gone_is_not_an_error(scheduler: Any) -> None:
    envelope = Envelope(task="quick", args=[1], due_at=DUE)
    schedules(scheduler).send([envelope])

    schedules(scheduler).delete(envelope.id)
    schedules(scheduler).delete(envelope.id)

    assert names(scheduler) == []


def test_other_errors_on_delete_are_raised(scheduler: Any) -> None:
    from botocore.exceptions import ClientError

    class Refusing:
        def delete_schedule(self, **request: Any) -> Any:
            raise ClientError({"Error": {"Code": "ThrottlingException"}}, "DeleteSchedule")

    client: Any = Refusing()
    refusing = EventBridgeSchedules(GROUP, ROLE, ARNS.get, registry, lambda: client)
    with pytest.raises(ClientError):
        refusing.delete("t1")


@pytest.mark.parametrize(
    ("due", "expression"),
    [
        (datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC), "at(2027-01-02T03:04:05)"),
        (datetime(2027, 1, 2, 3, 4, 5, 1, tzinfo=UTC), "at(2027-01-02T03:04:06)"),
        (
            datetime(2027, 1, 2, 5, 4, 5, tzinfo=timezone(timedelta(hours=2))),
            "at(2027-01-02T03:04:05)",
        ),
    ],
)
def test_at_expressions_are_utc_to_the_second_and_never_early(
    due: datetime, expression: str
) -> None:
    assert at_expression(due) == expression


@pytest.mark.skipif(not hasattr(time, "tzset"), reason="time.tzset is Unix only")
def test_at_expressions_do_not_depend_on_the_machines_time_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert at_expression(datetime(2027, 1, 2, 3, 4, 5, tzinfo=UTC)) == "at(2027-01-02T03:04:05)"
    finally:
        monkeypatch.undo()
        time.tzset()
