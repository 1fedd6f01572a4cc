"""offload.testing: a user's app and tasks, run by the real worker path in memory."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Query

from offload import BackgroundTasks, Backoff, Envelope, Offload, PermanentTaskError, TaskRegistry
from offload.front_door import installation
from offload.producer import get_offload
from offload.readers import Message
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


Tasks = BackgroundTasks
app = FastAPI()
# The app's own front door, from an environment that has no AWS: only the kit's can queue.
front_door = Offload(registry=registry)
front_door.install(app, owner=lambda request: request.headers.get("x-user"))


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
    kit = TaskKit(front_door)
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
    [task_id] = client.post("/greet/ada", headers={"x-user": "ada"}).json()
    assert kit.status(task_id) == "queued"
    assert kit.row(task_id).owner == "ada"  # the app's own owner function is kept
    assert effects == []

    assert [d.task_id for d in kit.drain(max_deliveries=1)] == [task_id]

    assert effects == [("greet", "ada")]
    assert kit.status(task_id) == "succeeded"
    assert kit.row(task_id).attempts == 1
    assert kit.runs(greet) == kit.runs("greet") == kit.runs(task_id) == 1
    # Each call returns its own deliveries only.
    assert kit.run_due() == []
    [second] = client.post("/greet/bo").json()
    assert [d.task_id for d in kit.drain(max_deliveries=1)] == [second]
    with pytest.raises(KeyError, match="no task nope"):
        kit.row("nope")


def test_the_kit_swaps_the_front_door_through_fastapis_own_overrides(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OFFLOAD_TABLE_NAME", raising=False)
    kit = TaskKit(front_door)
    kit.install(app)
    assert app.dependency_overrides[get_offload]() is kit.offload
    kit.close()

    assert get_offload not in app.dependency_overrides
    found = installation(app)
    assert found is not None
    assert found.offload is front_door
    # The app's own front door again: no table configured, nothing can be queued.
    front_door.reset()
    assert AppClient(app).post("/greet/ada").status_code == 503


def test_the_kit_serves_an_app_that_never_installed_a_front_door_and_leaves_it_so() -> None:
    bare = FastAPI()

    @bare.post("/greet/{name}")
    def greet_bare(name: str, tasks: Tasks) -> list[str]:
        tasks.add_task(greet, name)
        return tasks.task_ids

    kit = TaskKit(registry=registry)
    kit.install(bare)
    [task_id] = AppClient(bare).post("/greet/ada").json()
    assert kit.row(task_id).owner is None
    kit.close()

    assert installation(bare) is None
    assert get_offload not in bare.dependency_overrides


def test_drain_stops_a_queue_that_never_empties() -> None:
    kit = TaskKit(front_door, max_attempts=100)
    kit.install(app)
    try:
        kit.fail(greet, attempts=range(1, 100))
        AppClient(app).post("/greet/ada")
        with pytest.raises(RuntimeError, match="the queue is not empty after 3 deliveries"):
            kit.drain(max_deliveries=3)
        assert len(kit.deliveries) == 4
    finally:
        kit.close()


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
    assert kit.row(task_id).attempts == 2
    # Full jitter within the task's 10 s backoff, never zero.
    assert timedelta(seconds=1) <= kit.clock.now() - start <= timedelta(seconds=10)


@pytest.mark.parametrize(("max_attempts", "options"), [(5, {}), (7, {"max_attempts": 7})])
def test_an_injected_failure_on_every_attempt_runs_out_of_attempts(
    max_attempts: int, options: dict[str, Any]
) -> None:
    kit = TaskKit(front_door, **options)
    kit.install(app)
    try:
        kit.fail(greet, attempts=range(1, 10))
        [task_id] = AppClient(app).post("/greet/ada").json()
        deliveries = kit.drain()
    finally:
        kit.close()

    assert [d.attempt for d in deliveries] == list(range(1, max_attempts + 1))
    assert kit.status(task_id) == "dead_lettered"
    [dead] = kit.dead_letters
    assert dead.code == "retries_exhausted"
    assert f"injected failure of greet, attempt {max_attempts}" in (dead.reason or "")


def test_failures_are_injected_on_the_chosen_attempts_only(kit: TaskKit, client: AppClient) -> None:
    kit.fail("greet")  # the first attempt, by default
    kit.fail(greet, attempts=[3, 4])
    [task_id] = client.post("/greet/ada").json()
    assert [d.attempt for d in kit.drain()] == [1, 2]
    assert kit.status(task_id) == "succeeded"

    [other] = client.post("/greet/bo").json()
    kit.fail(other, error=PermanentTaskError("never"))
    kit.drain()
    assert kit.status(other) == "failed"
    assert [(d.task_id, d.code) for d in kit.dead_letters] == [(other, "permanent_error")]


def test_retries_run_out_into_the_dead_letters_and_permanent_errors_go_at_once(
    kit: TaskKit, client: AppClient
) -> None:
    down_id, broken_id = client.post("/down").json()

    kit.drain()

    assert kit.status(down_id) == "dead_lettered"
    assert kit.row(down_id).attempts == 3
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


def test_duplicates_add_up_and_each_covers_one_message(kit: TaskKit, client: AppClient) -> None:
    kit.duplicate(greet)
    kit.duplicate("greet")
    ids = [client.post(f"/greet/{name}").json()[0] for name in ("a", "b", "c")]

    deliveries = kit.drain()

    assert sorted(d.task_id for d in deliveries) == sorted([*ids[:2], *ids])


def test_a_task_added_for_later_waits_for_the_clock(kit: TaskKit, client: AppClient) -> None:
    [task_id] = client.post("/greet/di", params={"delay": 3600}).json()
    row = kit.row(task_id)
    assert row.status == "scheduled"
    assert row.due_at == kit.clock.now() + timedelta(hours=1)

    assert kit.run_due() == []
    kit.clock.advance(timedelta(minutes=59))
    assert kit.run_due() == []
    kit.clock.advance(timedelta(minutes=1))
    assert [d.task_id for d in kit.run_due()] == [task_id]
    assert effects == [("greet", "di")]


def test_a_cancelled_task_delivered_anyway_does_not_run(kit: TaskKit, client: AppClient) -> None:
    [task_id] = client.post("/greet/ed", params={"delay": 60}).json()
    kit.rows.unschedule(task_id)

    kit.drain()

    assert effects == []
    assert kit.status(task_id) == "cancelled"


def test_arguments_that_no_longer_validate_are_dead_lettered(kit: TaskKit) -> None:
    kit.queue.put(
        '{"v":1,"id":"x1","task":"greet","args":[42, 43]}', "greet", "x1", kit.clock.now()
    )

    kit.drain()

    assert [d.code for d in kit.dead_letters] == ["invalid_arguments"]


class Greetings:
    """A message of another kind: `{"greeting": name}`."""

    def matches(self, message: Message) -> bool:
        return isinstance(message.body, dict) and "greeting" in message.body

    def envelope(self, message: Message) -> Envelope:
        return Envelope(task="greet", args=[message.body["greeting"]])


def test_the_workers_readers_and_a_short_timeout_are_the_kits_own() -> None:
    effects.clear()
    # Under the worker's usual 5 s guard, a 1 s invocation would hand every record back.
    kit = TaskKit(front_door, readers=[Greetings()], timeout=timedelta(seconds=1))
    kit.queue.put('{"greeting": "fi"}', "greet", "g1", kit.clock.now())

    kit.drain()

    assert effects == [("greet", "fi")]


def test_the_fixture_gives_each_test_a_fresh_kit(tasks: TaskKit) -> None:
    assert tasks.deliveries == []
    assert tasks.clock.now() == tasks.clock.now()
