"""Round trips per request on the enqueue path: the tasks of one request go out in ceil(n/10)
SendMessageBatch calls, and their `queued` rows in ceil(n/25) BatchWriteItem calls (one for any
request of up to 25 tasks), and no other call.

Through the real path: an HTTP API v2 event, Mangum, FastAPI, offload's BackgroundTasks
dependency, SqsTaskQueue and the DynamoDB task rows, against moto. Counts are deterministic, so
they are asserted: this is how the enqueue path is judged (a latency ratio against moto measures
moto's per-call cost as much as ours; test_status_cost.py prints it).
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from typing import Any

import boto3
import pytest

from offload import BackgroundTasks, TaskRegistry
from offload.dynamodb import MAX_BATCH_WRITE, Table
from offload.rows import DynamoDBTaskRows
from tests.benchmarks.conftest import Queue, api_handler, front_door
from tests.benchmarks.measure import table
from tests.conftest import FakeLambdaContext
from tests.functional.conftest import Cloud, http_event
from tests.moto_aws import REGION

TASK_COUNTS = (1, 2, 10, 11, 25, 26)

tasks = TaskRegistry()


@tasks.task("bench_noop")
def noop(index: int) -> None:
    """Never run here: only queued."""


async def add_tasks(count: int, background_tasks: BackgroundTasks) -> dict[str, int]:
    for index in range(count):
        background_tasks.add_task(noop, index)
    return {"queued": len(background_tasks)}


def make_handler(queue: Queue, rows: DynamoDBTaskRows) -> Any:
    return api_handler(front_door(tasks, queue, rows=rows), "/tasks/{count}", add_tasks)


@pytest.mark.benchmark
def test_round_trips_per_request(
    cloud: Cloud,
    task_queue: Queue,
    lambda_context: FakeLambdaContext,
    current_loop: asyncio.AbstractEventLoop,
) -> None:
    sends: list[int] = []
    dynamodb_calls: Counter[str] = Counter()

    def count_send(params: dict[str, Any], **_: Any) -> None:
        sends.append(len(params["Entries"]))

    def count_dynamodb(model: Any, **_: Any) -> None:
        dynamodb_calls[model.name] += 1

    # Once per API call, retries of the HTTP request excluded, with the call's own parameters.
    task_queue.client.meta.events.register(
        "before-parameter-build.sqs.SendMessageBatch", count_send
    )
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.meta.events.register("before-parameter-build.dynamodb", count_dynamodb)
    handler = make_handler(task_queue, DynamoDBTaskRows(Table(cloud.table_name, lambda: dynamodb)))

    rows: list[list[object]] = []
    results: list[tuple[int, int, int, Counter[str]]] = []
    for count in TASK_COUNTS:
        sends.clear()
        dynamodb_calls.clear()
        before = task_queue.count()
        response = handler(http_event("POST", f"/tasks/{count}"), lambda_context)
        assert response["statusCode"] == 200, response
        goal_sqs, goal_rows = math.ceil(count / 10), math.ceil(count / MAX_BATCH_WRITE)
        queued = task_queue.count() - before
        writes = dynamodb_calls["BatchWriteItem"]
        others = sum(dynamodb_calls.values()) - writes
        met = (len(sends), queued, writes, others) == (goal_sqs, count, goal_rows, 0)
        rows.append(
            [
                count,
                len(sends),
                goal_sqs,
                "/".join(map(str, sends)),
                queued,
                writes,
                goal_rows,
                others,
                "ok" if met else "MISS",
            ]
        )
        results.append((count, len(sends), queued, Counter(dynamodb_calls)))

    print("\n\n== Round trips per request on the enqueue path (BackgroundTasks, moto) ==")
    print(
        table(
            [
                "tasks",
                "SendMessageBatch",
                "goal ceil(n/10)",
                "entries/call",
                "on queue",
                "BatchWriteItem",
                "goal ceil(n/25)",
                "other DynamoDB",
                "verdict",
            ],
            rows,
        )
    )
    for count, made, queued, calls in results:
        assert made == math.ceil(count / 10), f"{count} tasks took {made} SendMessageBatch calls"
        assert queued == count, f"{count} tasks but {queued} messages on the queue"
        assert calls == Counter({"BatchWriteItem": math.ceil(count / MAX_BATCH_WRITE)}), calls
