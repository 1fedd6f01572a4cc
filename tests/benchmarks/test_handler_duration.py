"""How long `handler(event, context)` takes for an endpoint whose background task sleeps 2 s.

FastAPI's own BackgroundTasks under Mangum run inside the invocation, so the client waits for
them (and the time is billed); offload's are queued on SQS (moto) and the handler returns at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import BackgroundTasks as FastAPIBackgroundTasks
from fastapi import FastAPI
from mangum import Mangum

from offload import BackgroundTasks, TaskRegistry
from tests.benchmarks.conftest import Queue, TimedCall, api_handler, front_door
from tests.benchmarks.measure import interleaved, table
from tests.functional.conftest import http_event

TASK_SECONDS = 2.0
#: Interleaved pairs after one untimed warm-up each; every FastAPI sample costs TASK_SECONDS.
REPEATS = 3

tasks = TaskRegistry()
ran: list[float] = []


@tasks.task("bench_slow_report")
def slow_report(seconds: float) -> None:
    time.sleep(seconds)
    ran.append(seconds)


async def report(background_tasks: BackgroundTasks) -> dict[str, str]:
    background_tasks.add_task(slow_report, TASK_SECONDS)
    return {"message": "report requested"}


def offload_handler(queue: Queue) -> Any:
    return api_handler(front_door(tasks, queue), "/report", report)


def fastapi_handler() -> Any:
    app = FastAPI()

    @app.post("/report")
    async def report(background_tasks: FastAPIBackgroundTasks) -> dict[str, str]:
        background_tasks.add_task(slow_report, TASK_SECONDS)
        return {"message": "report requested"}

    return Mangum(app, lifespan="off")


@pytest.mark.benchmark
def test_handler_duration_with_a_2s_task(task_queue: Queue, timed_call: TimedCall) -> None:
    def timed(handler: Any) -> Callable[[], float]:
        return lambda: timed_call(handler, http_event("POST", "/report"))

    ours, theirs = timed(offload_handler(task_queue)), timed(fastapi_handler())
    ran.clear()
    ours_first, theirs_first = ours(), theirs()

    paired = interleaved(theirs, ours, REPEATS)

    assert all(ms > 0 for ms in paired.baseline + paired.subject)
    # Deterministic: FastAPI ran every task in the invocation; ours queued every one.
    assert ran == [TASK_SECONDS] * (REPEATS + 1)
    assert task_queue.count() == REPEATS + 1
    print(f"\n\n== Handler duration, endpoint with a {TASK_SECONDS:.0f} s background task ==")
    print(f"   handler(event, context) under Mangum, HTTP API v2 event; median of {REPEATS}")
    print(
        table(
            ["background tasks", "median ms", "first call ms", "task ran in handler"],
            [
                ["fastapi.BackgroundTasks", paired.baseline_median, theirs_first, "yes"],
                ["offload (SQS, moto)", paired.subject_median, ours_first, "no (queued)"],
            ],
        )
    )
    print(
        f"   ours / FastAPI's: {paired.ratio:.4f} (FastAPI's takes {1 / paired.ratio:.0f}x as long)"
    )
