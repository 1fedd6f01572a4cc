"""What a task that runs later costs the request that adds it, against one that runs now: API
calls (counted) and handler latency (p50, interleaved), through Mangum and the real producer
(rows, then SQS or the scheduler), moto in-process."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import boto3
import pytest

from offload import BackgroundTasks, TaskRegistry
from offload.dynamodb import Table
from offload.rows import DynamoDBTaskRows
from offload.schedules import EventBridgeSchedules
from tests.benchmarks.conftest import Queue, TimedCall, api_handler, front_door
from tests.benchmarks.measure import interleaved, percentile, table
from tests.functional.conftest import Cloud, http_event
from tests.moto_aws import REGION

REPEATS = 40
GROUP = "bench"
KINDS = {"now": None, "in 1 minute (SQS delay)": 60, "in 1 hour (one-time schedule)": 3600}

tasks = TaskRegistry()


@tasks.task("bench_remind")
def remind(text: str) -> None: ...


def app_for(queue: Queue, table: str, calls: Counter[str]) -> Any:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule_group(Name=GROUP)
    arn = queue.client.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["QueueArn"])
    for client in (dynamodb, scheduler, queue.client):
        client.meta.events.register(
            "before-parameter-build", lambda model, **_: calls.update([model.name])
        )
    door = front_door(
        tasks,
        queue,
        rows=DynamoDBTaskRows(Table(table, lambda: dynamodb)),
        schedules=EventBridgeSchedules(
            GROUP,
            "arn:aws:iam::123456789012:role/scheduler",
            {"default": arn["Attributes"]["QueueArn"]}.get,
            tasks,
            lambda: scheduler,
        ),
    )
    return api_handler(door, "/remind", add)


async def add(background_tasks: BackgroundTasks, seconds: int = 0) -> list[str]:
    if seconds:
        background_tasks.later(timedelta(seconds=seconds)).add_task(remind, "hello")
    else:
        background_tasks.add_task(remind, "hello")
    return background_tasks.task_ids


@pytest.mark.benchmark
def test_the_cost_of_a_delayed_and_a_scheduled_task(
    cloud: Cloud, task_queue: Queue, timed_call: TimedCall
) -> None:
    calls: Counter[str] = Counter()
    handler = app_for(task_queue, cloud.table_name, calls)

    def timed(seconds: int | None) -> float:
        query = f"seconds={seconds}" if seconds else ""
        return timed_call(handler, http_event("POST", "/remind", query=query))

    # Calls per request, counted once each
    per_request: dict[str, Counter[str]] = {}
    for name, seconds in KINDS.items():
        calls.clear()
        timed(seconds)
        per_request[name] = Counter(calls)
    baseline = per_request["now"]
    assert baseline == Counter({"BatchWriteItem": 1, "SendMessageBatch": 1})
    assert per_request["in 1 minute (SQS delay)"] == baseline
    assert per_request["in 1 hour (one-time schedule)"] == Counter(
        {"BatchWriteItem": 1, "CreateSchedule": 1}
    )

    # Latency, each against "now" measured alternately in the same run
    later = {
        name: interleaved(lambda: timed(None), lambda s=seconds: timed(s), REPEATS)  # type: ignore[misc]
        for name, seconds in KINDS.items()
        if seconds
    }
    rows: list[list[object]] = [
        [
            "now",
            ", ".join(f"{n} {c}" for n, c in sorted(baseline.items())),
            sum(baseline.values()),
            percentile(next(iter(later.values())).baseline, 50),
            "1.00x",
        ]
    ]
    for name, paired in later.items():
        counted = per_request[name]
        rows.append(
            [
                name,
                ", ".join(f"{n} {c}" for n, c in sorted(counted.items())),
                sum(counted.values()),
                percentile(paired.subject, 50),
                f"{paired.ratio:.2f}x",
            ]
        )
    print("\n\n== Tasks that run later: what the request that adds one pays ==")
    print(f"   handler(event, context) under Mangum, moto in-process; {REPEATS} interleaved pairs")
    print(table(["task added", "API calls", "calls", "p50 ms", "vs now"], rows))
    print(
        "   When due, a schedule's own SendMessage is EventBridge Scheduler's (billed as one "
        "invocation,\n   $1.00 per million past the free tier) and it deletes itself: no "
        "further call of ours.\n   A delayed SQS message costs what an immediate one does."
    )
