"""offload.testing: a user's app and tasks, run by the real worker path in memory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Query

from offload import Backoff, PermanentTaskError, TaskRegistry
from offload.producer import TaskBatch, send_request_tasks, use_task_queue
from offload.testing import TaskKit

registry = TaskRegistry()
effects: list[tuple[str, str]] = []


@registry.task("greet", backoff=Backoff(base_seconds=10, cap_seconds=10))
def greet(name: str) -> None:
    effects.append(("greet", name))


@registry.task("always_down", max_attempts=3)
def always_down() -> None:
    raise ConnectionError("the mail server is down")


@registry.task("broken")
def broken() -> None:
    raise PermanentTaskError("cannot ever work")


Tasks = Annotated[TaskBatch, Depends(send_request_tasks, scope="function")]
app = FastAPI()
use_task_queue(app, lambda: pytest.fail("the kit was not installed"), task_registry=registry)


@app.post("/greet/{name}")
def post_greet(name: str, tasks: Tasks, delay: Annotated[int, Query()] = 0) -> list[str]:
    if delay:
        tasks.later(timedelta(seconds=delay)).add_task(greet, name)
    else:
        tasks.add_task(greet, name)
    return tasks.task_ids


@app.post("/down")
def post_down(tasks: Tasks) -> list[str]:
    tasks.add_task(always_down)
    tasks.add_task(broken)
    return tasks.task_ids


@pytest.fixture
def kit() -> Iterator[TaskKit]:
    effects.clear()
    kit = TaskKit(registry)
    kit.install(app)
    yield kit
    kit.close()


class AppClient:
    """FastAPI's AppClient, made of httpx's ASGI transport (Starlette's warns under httpx)."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    def post(self, path: str, **options: Any) -> httpx.Response:
        async def call() -> httpx.Response:
            transport = httpx.ASGITransport(app=self._app)
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.post(path, **options)

        return asyncio.run(call())


@pytest.fixture
def client(kit: TaskKit) -> AppClient:
    return AppClient(app)


def test_a_request_then_drain_runs_the_task(kit: TaskKit, client: AppClient) -> None:
    [task_id] = client.post("/greet/ada").json()
    assert kit.status(task_id) == "queued"
    assert effects == []

    kit.drain()

    assert effects == [("greet", "ada")]
    assert kit.status(task_id) == "succeeded"
    assert kit.record(task_id).attempts == 1


def test_a_failed_attempt_is_retried_after_the_tasks_own_backoff(
    kit: TaskKit, client: AppClient
) -> None:
    kit.fail(greet, attempts=1)
    start = kit.clock.now()
    [task_id] = client.post("/greet/bob").json()

    first = kit.run_due()
    assert [d.attempt for d in first] == [1]
    assert kit.status(task_id) == "retrying"
    assert effects == []

    kit.drain()
    assert effects == [("greet", "bob")]
    assert kit.record(task_id).attempts == 2
    # Full jitter within the task's 10 s backoff, never zero.
    assert timedelta(seconds=1) <= kit.clock.now() - start <= timedelta(seconds=10)


def test_retries_run_out_into_the_dead_letters_and_permanent_errors_go_at_once(
    kit: TaskKit, client: AppClient
) -> None:
    down_id, broken_id = client.post("/down").json()

    kit.drain()

    assert kit.status(down_id) == "dead_lettered"
    assert kit.record(down_id).attempts == 3
    assert kit.status(broken_id) == "failed"
    codes = {d.task_id: d.code for d in kit.dead_letters}
    assert codes == {down_id: "retries_exhausted", broken_id: "permanent_error"}


def test_a_duplicate_delivery_runs_the_effect_once(kit: TaskKit, client: AppClient) -> None:
    kit.duplicate(greet)
    [task_id] = client.post("/greet/cy").json()

    deliveries = kit.drain()

    assert [d.task_id for d in deliveries] == [task_id, task_id]
    assert effects == [("greet", "cy")]
    assert kit.runs(greet) == 1


def test_a_task_added_for_later_waits_for_the_clock(kit: TaskKit, client: AppClient) -> None:
    [task_id] = client.post("/greet/di", params={"delay": 3600}).json()
    record = kit.record(task_id)
    assert record.status == "scheduled"
    assert record.due_at == kit.clock.now() + timedelta(hours=1)

    assert kit.run_due() == []
    kit.clock.advance(timedelta(minutes=59))
    assert kit.run_due() == []
    kit.clock.advance(timedelta(minutes=1))
    assert [d.task_id for d in kit.run_due()] == [task_id]
    assert effects == [("greet", "di")]


def test_a_cancelled_task_delivered_anyway_does_not_run(kit: TaskKit, client: AppClient) -> None:
    [task_id] = client.post("/greet/ed", params={"delay": 60}).json()
    kit.records.unschedule(task_id)

    kit.drain()

    assert effects == []
    assert kit.status(task_id) == "cancelled"


def test_arguments_that_no_longer_validate_are_dead_lettered(kit: TaskKit) -> None:
    kit.queue.put(
        '{"v":1,"id":"x1","task":"greet","args":[42, 43]}', "greet", "x1", kit.clock.now()
    )

    kit.drain()

    assert [d.code for d in kit.dead_letters] == ["invalid_arguments"]


def test_the_fixture_gives_each_test_a_fresh_kit(tasks: TaskKit) -> None:
    assert tasks.deliveries == []
    assert tasks.clock.now() == tasks.clock.now()
