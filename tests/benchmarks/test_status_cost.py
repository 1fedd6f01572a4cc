"""What recording "queued" costs on the enqueue path: the same endpoint (two tasks) with and
without the task rows, handler duration under Mangum, SQS and DynamoDB in moto."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from offload import BackgroundTasks, TaskRegistry
from offload.dynamodb import Table
from offload.rows import DynamoDBTaskRows
from tests.benchmarks.conftest import Queue, TimedCall, api_handler, front_door
from tests.benchmarks.measure import interleaved, percentile, table
from tests.functional.conftest import Cloud, http_event
from tests.moto_aws import REGION

REPEATS = 60

tasks = TaskRegistry()


@tasks.task("bench_note")
def note(text: str) -> None: ...


async def notes(background_tasks: BackgroundTasks) -> list[str]:
    background_tasks.add_task(note, "first")
    background_tasks.add_task(note, "second")
    return background_tasks.task_ids


def handler(queue: Queue, with_status: bool, cloud: Cloud) -> Any:
    client = boto3.client("dynamodb", region_name=REGION)
    # Without the rows' DynamoDB write (in memory), or with it.
    rows = (
        {"rows": DynamoDBTaskRows(Table(cloud.table_name, lambda: client))} if with_status else {}
    )
    return api_handler(front_door(tasks, queue, **rows), "/notes", notes)


@pytest.mark.benchmark
def test_the_cost_of_recording_queued_status(
    cloud: Cloud, task_queue: Queue, timed_call: TimedCall
) -> None:
    runs = {flag: handler(task_queue, flag, cloud) for flag in (False, True)}

    def timed(with_status: bool) -> float:
        return timed_call(runs[with_status], http_event("POST", "/notes"))

    timed(False), timed(True)  # warm both
    paired = interleaved(lambda: timed(False), lambda: timed(True), REPEATS)

    rows = [
        [name, percentile(values, 50), percentile(values, 95)]
        for name, values in (
            ("SQS only", paired.baseline),
            ("SQS + task rows (1 BatchWriteItem)", paired.subject),
        )
    ]
    print("\n\n== Enqueue path: cost of the task status (2 tasks per request) ==")
    print(f"   handler(event, context) under Mangum, moto in-process; {REPEATS} interleaved pairs")
    print(table(["enqueue path", "p50 ms", "p95 ms"], rows))
    print(
        f"   with status / without: {paired.ratio:.2f}x "
        f"(+{paired.subject_median - paired.baseline_median:.1f} ms per request at the median)"
    )
    assert all(ms > 0 for ms in paired.baseline + paired.subject)
