"""Time and place in the template agree with the code: each periodic task has its schedule (and
each schedule its task), and each queue a task names exists, is known to the API and has a
worker."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

import app.tasks  # noqa: F401  (registers every task of the application)
from offload import TaskSpec, registry
from offload.config import queue_variable
from offload.periodic import periodic_body
from tests.template.values import as_int

if TYPE_CHECKING:
    from offload_local.template.translation import Translated


def schedules_by_task(translated: Translated) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each AWS::Scheduler::Schedule of the template by the task its envelope names."""
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for logical, resource in translated.of_type("AWS::Scheduler::Schedule").items():
        body = json.loads(resource["Properties"]["Target"]["Input"])
        assert body.get("task") not in found, f"{body.get('task')} has two schedules"
        found[str(body.get("task"))] = (logical, resource["Properties"])
    return found


def queue_of(translated: Translated, name: str) -> str:
    """The queue resource the API knows by a task's queue name."""
    url_setting = queue_variable(name)
    variables = translated.resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    ref = variables.get(url_setting)
    assert isinstance(ref, dict), f"ApiFunction has no {url_setting} = !Ref"
    assert "Ref" in ref, f"ApiFunction's {url_setting} is {ref}, not a !Ref"
    return str(ref["Ref"])


def test_every_periodic_task_has_a_schedule_and_every_schedule_a_periodic_task(
    translated: Translated,
) -> None:
    in_code = {spec.name for spec in registry.periodic()}
    in_template = set(schedules_by_task(translated))
    assert in_code, "the application declares no periodic task"
    assert in_code - in_template == set(), "periodic tasks without an AWS::Scheduler::Schedule"
    assert in_template - in_code == set(), "schedules of tasks the code does not declare periodic"


@pytest.mark.parametrize("spec", registry.periodic(), ids=lambda s: s.name)
def test_each_schedule_sends_its_tasks_envelope_when_the_code_says(
    translated: Translated, spec: TaskSpec
) -> None:
    logical, schedule = schedules_by_task(translated)[spec.name]
    target = schedule["Target"]
    assert schedule["ScheduleExpression"] == spec.schedule, logical
    assert schedule.get("ScheduleExpressionTimezone", "UTC") == "UTC", logical
    assert json.loads(target["Input"]) == json.loads(periodic_body(spec.name)), logical
    assert target["Arn"] == {"Fn::GetAtt": [queue_of(translated, spec.queue), "Arn"]}, logical
    assert target["RoleArn"] == {"Fn::GetAtt": ["SchedulerRole", "Arn"]}, logical
    assert schedule["GroupName"] == {"Ref": "TaskScheduleGroup"}, logical
    assert schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}, logical


@pytest.mark.parametrize("name", sorted(registry.queues()))
def test_every_queue_a_task_names_is_in_the_stack_with_a_worker(
    translated: Translated, name: str
) -> None:
    # Given the queue the API sends the task to
    resource = queue_of(translated, name)
    # Then it is a queue of the stack, one-time schedules can target it, and a worker drains it
    assert translated.resources[resource]["Type"] == "AWS::SQS::Queue"
    arn_setting = queue_variable(name, "ARN")
    variables = translated.resources["ApiFunction"]["Properties"]["Environment"]["Variables"]
    assert variables.get(arn_setting) == {"Fn::GetAtt": [resource, "Arn"]}
    consumers = [
        m["Properties"]["FunctionName"]
        for m in translated.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [resource, "Arn"]}
    ]
    assert len(consumers) == 1, f"{resource} is drained by {consumers}"


def test_heavy_work_has_a_bigger_worker_and_small_batches(
    translated: Translated, defaults: dict[str, str]
) -> None:
    heavy = translated.resources["HeavyWorkerFunction"]["Properties"]
    quick = translated.resources["WorkerFunction"]["Properties"]
    assert heavy["MemorySize"] > quick["MemorySize"]
    [mapping] = [
        m["Properties"]
        for m in translated.of_type("AWS::Lambda::EventSourceMapping").values()
        if m["Properties"]["FunctionName"] == {"Ref": "HeavyWorkerFunction"}
    ]
    assert as_int(mapping["BatchSize"], defaults, "BatchSize") in (1, 2)


def test_uploads_are_heavy_work(translated: Translated) -> None:
    assert registry.get("process_upload").queue == "heavy"
    bucket = translated.resources["UploadBucket"]["Properties"]
    [notification] = bucket["NotificationConfiguration"]["QueueConfigurations"]
    assert notification["Queue"] == {"Fn::GetAtt": [queue_of(translated, "heavy"), "Arn"]}
