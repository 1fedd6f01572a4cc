"""SendMessageBatch calls per request: the tasks of one request go out in ceil(n/10) calls.

Through the real path: an HTTP API v2 event, Mangum, FastAPI, offload's BackgroundTasks
dependency and SqsTaskQueue, against moto. Counts are deterministic, so they are asserted.
"""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from offload import BackgroundTasks, TaskRegistry
from tests.benchmarks.conftest import Queue, api_handler, front_door
from tests.benchmarks.measure import table
from tests.conftest import FakeLambdaContext
from tests.functional.conftest import http_event

TASK_COUNTS = (1, 2, 10, 11, 25)

tasks = TaskRegistry()


@tasks.task("bench_noop")
def noop(index: int) -> None:
    """Never run here: only queued."""


async def add_tasks(count: int, background_tasks: BackgroundTasks) -> dict[str, int]:
    for index in range(count):
        background_tasks.add_task(noop, index)
    return {"queued": len(background_tasks)}


def make_handler(queue: Queue) -> Any:
    return api_handler(front_door(tasks, queue), "/tasks/{count}", add_tasks)


@pytest.mark.benchmark
def test_send_message_batch_calls_per_request(
    task_queue: Queue, lambda_context: FakeLambdaContext, current_loop: asyncio.AbstractEventLoop
) -> None:
    calls: list[int] = []

    def count_call(params: dict[str, Any], **_: Any) -> None:
        calls.append(len(params["Entries"]))

    # Once per API call, retries of the HTTP request excluded, with the call's own parameters.
    task_queue.client.meta.events.register(
        "before-parameter-build.sqs.SendMessageBatch", count_call
    )
    handler = make_handler(task_queue)

    rows: list[list[object]] = []
    results: list[tuple[int, int, int]] = []
    for count in TASK_COUNTS:
        calls.clear()
        before = task_queue.count()
        response = handler(http_event("POST", f"/tasks/{count}"), lambda_context)
        assert response["statusCode"] == 200, response
        goal = math.ceil(count / 10)
        queued = task_queue.count() - before
        verdict = "ok" if len(calls) == goal and queued == count else "MISS"
        rows.append([count, len(calls), goal, "/".join(map(str, calls)), queued, verdict])
        results.append((count, len(calls), queued))

    print("\n\n== SQS calls per request (offload BackgroundTasks -> SqsTaskQueue, moto) ==")
    print(
        table(
            [
                "tasks",
                "SendMessageBatch calls",
                "goal ceil(n/10)",
                "entries/call",
                "on queue",
                "verdict",
            ],
            rows,
        )
    )
    for count, made, queued in results:
        assert made == math.ceil(count / 10), f"{count} tasks took {made} SendMessageBatch calls"
        assert queued == count, f"{count} tasks but {queued} messages on the queue"
