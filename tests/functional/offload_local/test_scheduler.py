"""The local EventBridge Scheduler: schedules provisioned into moto from a template (or made by
the API), fired when due with their input on their queue, listed and fired by the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from offload import Envelope
from offload_local.aws.endpoint import AwsEndpoint
from offload_local.cli import main
from offload_local.console import Console
from offload_local.errors import ProvisionError, UnsupportedResourceError
from offload_local.provision import provision
from offload_local.provision.deployment import Deployment
from offload_local.scheduler.firing import SchedulerEmulator, schedules
from offload_local.template.stack import Stack
from offload_local.template.translation import translate

TEMPLATE = """
Resources:
  Tasks:
    Type: AWS::SQS::Queue
  Group:
    Type: AWS::Scheduler::ScheduleGroup
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: scheduler.amazonaws.com}
            Action: sts:AssumeRole
  Nightly:
    Type: AWS::Scheduler::Schedule
    Properties:
      Description: a periodic task
      GroupName: !Ref Group
      ScheduleExpression: %s
      FlexibleTimeWindow: {Mode: "OFF"}
      Target:
        Arn: !GetAtt Tasks.Arn
        RoleArn: !GetAtt Role.Arn
        Input: '{"v":1,"task":"tidy","enqueued_at":"<aws.scheduler.scheduled-time>"}'
        %s
"""


def deploy(
    aws: AwsEndpoint,
    write_template: Callable[[str], Path],
    expression: str = "cron(0 3 * * ? *)",
    extra: str = "",
) -> Deployment:
    return provision(
        Stack.from_template(translate(write_template(TEMPLATE % (expression, extra)))), aws
    )


def received(aws: AwsEndpoint, deployment: Deployment) -> list[str]:
    url = deployment.queues()["Tasks"]
    messages = aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [m["Body"] for m in messages.get("Messages", [])]


def one_time(aws: AwsEndpoint, deployment: Deployment, due: datetime) -> Envelope:
    """A task's one-time schedule, as the API makes it."""
    envelope = Envelope(task="remind", due_at=due)
    aws.client("scheduler").create_schedule(
        Name=envelope.id,
        GroupName=deployment.registry.ref("Group"),
        ScheduleExpression=f"at({due:%Y-%m-%dT%H:%M:%S})",
        FlexibleTimeWindow={"Mode": "OFF"},
        ActionAfterCompletion="DELETE",
        Target={
            "Arn": deployment.registry.get_att("Tasks", "Arn"),
            "RoleArn": deployment.registry.get_att("Role", "Arn"),
            "Input": envelope.to_body(),
        },
    )
    return envelope


def test_a_one_time_schedule_fires_when_due_and_deletes_itself(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    deployment = deploy(aws, write_template)
    # Noon tomorrow, so that the hour the test looks at never holds the periodic schedule's
    # 03:00 occurrence, whatever the hour the test runs at.
    now = (datetime.now(UTC) + timedelta(days=1)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    envelope = one_time(aws, deployment, now + timedelta(hours=1))
    emulator = SchedulerEmulator(aws, Console(io.StringIO()), clock=lambda: now)

    assert emulator.fire_due(now + timedelta(minutes=59)) == []
    [(_, body)] = [
        f for f in emulator.fire_due(now + timedelta(hours=1)) if f[0].name == envelope.id
    ]

    assert Envelope.from_body(body) == envelope
    assert received(aws, deployment) == [body]
    names = [s["Name"] for s in aws.client("scheduler").list_schedules()["Schedules"]]
    assert envelope.id not in names


def test_a_periodic_schedule_fires_once_per_occurrence_with_its_time_filled_in(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    deployment = deploy(aws, write_template)
    # Noon tomorrow: after the schedule was made; it is next due at 3:00 the day after.
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    start = tomorrow.replace(hour=12, minute=0, second=0, microsecond=0)
    due = start.replace(hour=3) + timedelta(days=1)
    emulator = SchedulerEmulator(aws, Console(io.StringIO()), clock=lambda: start)

    assert emulator.fire_due(start + timedelta(hours=14)) == []
    fired = emulator.fire_due(start + timedelta(hours=15, minutes=1))
    again = emulator.fire_due(start + timedelta(hours=15, minutes=2))

    [(schedule, body)] = fired
    assert again == []
    assert json.loads(body)["enqueued_at"] == f"{due:%Y-%m-%dT%H:%M:%S}Z"
    assert received(aws, deployment) == [body]
    # Still there for tomorrow.
    assert schedule.next_run(start + timedelta(hours=16)) == due + timedelta(days=1)


def test_the_cli_lists_schedules_with_their_next_run_and_fires_one_now(
    aws: AwsEndpoint, write_template: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = deploy(aws, write_template)
    name = deployment.registry.ref("Nightly")
    endpoint = ["--aws-endpoint", aws.url]

    assert main(["schedules", *endpoint]) == 0
    listing = capsys.readouterr().out
    assert name in listing
    assert "cron(0 3 * * ? *)" in listing
    assert " 03:00:00" in listing

    assert main(["schedules", "run", name, *endpoint]) == 0
    assert f"fired {deployment.registry.ref('Group')}/{name}" in capsys.readouterr().out
    [body] = received(aws, deployment)
    assert Envelope.from_body(body).task == "tidy"

    assert main(["schedules", "run", "no-such-schedule", *endpoint]) == 2
    assert "no schedule 'no-such-schedule'" in capsys.readouterr().err


def test_a_schedule_fires_at_its_time_zones_time(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    # 03:00 in Paris is 02:00 UTC in winter; cron's L: the last day of the month.
    deployment = deploy(
        aws, write_template, "cron(0 3 L * ? *)\n      ScheduleExpressionTimezone: Europe/Paris"
    )
    [schedule] = schedules(aws)
    assert deployment.registry.ref("Nightly") == schedule.name

    assert schedule.next_run(datetime(2027, 2, 1, tzinfo=UTC)) == datetime(
        2027, 2, 28, 2, 0, tzinfo=UTC
    )


def test_what_it_cannot_fire_as_aws_would_stops_start_up(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    with pytest.raises(UnsupportedResourceError, match=r"Target\.SqsParameters"):
        deploy(aws, write_template, extra="SqsParameters: {MessageGroupId: g}")


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        ("cron(0 3 * * * *)", "exactly one of the two must be '\\?'"),
        ("cron(0 3 * * ? *)\n      ScheduleExpressionTimezone: Mars/Olympus", "IANA time zone"),
    ],
)
def test_a_schedule_aws_would_refuse_stops_start_up(
    aws: AwsEndpoint, write_template: Callable[[str], Path], expression: str, refused: str
) -> None:
    with pytest.raises(ProvisionError, match=f"Nightly .*{refused}"):
        deploy(aws, write_template, expression)


def test_a_flexible_window_is_refused(
    aws: AwsEndpoint, write_template: Callable[[str], Path]
) -> None:
    text = (TEMPLATE % ("rate(1 hour)", "")).replace(
        '{Mode: "OFF"}', "{Mode: FLEXIBLE, MaximumWindowInMinutes: 5}"
    )
    with pytest.raises(UnsupportedResourceError, match="Mode OFF"):
        provision(Stack.from_template(translate(write_template(text))), aws)
