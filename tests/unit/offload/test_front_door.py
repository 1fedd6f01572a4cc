"""offload.front_door.Offload: one object owns the registry, the backend and the worker; the
environment is read, and each part built, on first use; the API finds it through FastAPI's
dependencies, so FastAPI's own overrides swap it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI

from offload import BackgroundTasks, Envelope, NotScheduledError, Offload, TaskRegistry
from offload.backend import AwsBackend
from offload.config import Config
from offload.exceptions import ConfigurationError, UnknownQueueError
from offload.front_door import default, installation
from offload.producer import get_offload
from offload.testing import MemoryBackend, MemoryTaskRows
from offload.testing.queue import Clock, InMemoryQueue
from tests.conftest import load_event, make_context

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)

registry = TaskRegistry()
greeted: list[str] = []


@registry.task("greet")
def greet(name: str) -> None:
    greeted.append(name)


def in_memory(clock: Clock | None = None) -> tuple[Offload, MemoryBackend]:
    clock = clock or Clock(NOW)
    backend = MemoryBackend(InMemoryQueue(clock), MemoryTaskRows(clock.now), registry)
    return Offload(Config(), registry=registry, backend=backend, clock=clock.now), backend


def test_nothing_is_read_until_first_use_and_reset_reads_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OFFLOAD_MAX_ATTEMPTS", "not a number")
    offload = Offload.from_environment(registry=registry)  # at import: nothing read yet

    with pytest.raises(ConfigurationError, match="OFFLOAD_MAX_ATTEMPTS='not a number'"):
        _ = offload.config
    monkeypatch.setenv("OFFLOAD_MAX_ATTEMPTS", "3")
    offload.reset()
    assert offload.config.max_attempts == 3
    monkeypatch.setenv("OFFLOAD_MAX_ATTEMPTS", "4")
    assert offload.config.max_attempts == 3  # read once


def test_the_aws_backend_is_built_from_the_config_once(monkeypatch: pytest.MonkeyPatch) -> None:
    offload = Offload(Config(table_name="t", queue_urls={"default": "https://sqs/q"}))

    backend = offload.backend
    assert isinstance(backend, AwsBackend)
    assert offload.backend is backend
    assert set(backend.queues) == {"default"}
    offload.reset()  # a given config is kept; what was built from it is built again
    assert offload.backend is not backend
    assert offload.config.table_name == "t"


def test_a_side_missing_its_variables_is_told_which() -> None:
    offload = Offload(Config(), registry=registry)

    with pytest.raises(ConfigurationError, match="OFFLOAD_TABLE_NAME"):
        _ = offload.rows
    with pytest.raises(
        ConfigurationError, match="OFFLOAD_TABLE_NAME, OFFLOAD_DEAD_LETTER_QUEUE_URL"
    ):
        offload.consumer()
    with pytest.raises(ConfigurationError, match="OFFLOAD_SCHEDULE_GROUP_NAME"):
        _ = offload.schedules


def test_a_task_naming_a_queue_the_function_lacks_stops_the_api_naming_the_variable() -> None:
    heavy = TaskRegistry()
    heavy.register("thumbnail", lambda: None, queue="heavy")

    offload = Offload(Config(table_name="t"), registry=heavy)
    with pytest.raises(UnknownQueueError, match="set OFFLOAD_HEAVY_QUEUE_URL"):
        _ = offload.router


def test_the_front_door_registers_tasks_in_its_registry() -> None:
    own = TaskRegistry()
    offload = Offload(Config(), registry=own)

    @offload.task("wave", max_attempts=2)
    def wave() -> None: ...

    assert own.get("wave").func is wave
    assert own.get("wave").max_attempts == 2


def test_an_installed_app_sends_its_tasks_through_its_front_door() -> None:
    offload, backend = in_memory()
    app = FastAPI()
    offload.install(app, owner=lambda request: request.headers.get("x-user"))

    @app.post("/greet/{name}")
    async def post_greet(name: str, background_tasks: BackgroundTasks) -> list[str]:
        background_tasks.add_task(greet, name)
        return background_tasks.task_ids

    [task_id] = post(app, "/greet/ada", {"x-user": "u1"}).json()

    found = installation(app)
    assert found is not None
    assert found.offload is offload
    row = offload.status(task_id)
    assert row is not None
    assert (row.status, row.owner) == ("queued", "u1")
    assert [m.task_id for m in backend.queue.messages] == [task_id]


def test_fastapis_own_overrides_swap_the_front_door() -> None:
    offload, _ = in_memory()
    swapped, swapped_backend = in_memory()
    app = FastAPI()
    offload.install(app)
    app.dependency_overrides[get_offload] = lambda: swapped

    @app.post("/greet/{name}")
    async def post_greet(name: str, background_tasks: BackgroundTasks) -> list[str]:
        background_tasks.add_task(greet, name)
        return background_tasks.task_ids

    [task_id] = post(app, "/greet/bo").json()

    assert offload.status(task_id) is None
    assert swapped.status(task_id) is not None
    assert len(swapped_backend.queue.messages) == 1


def test_an_app_that_installed_nothing_gets_the_environments_front_door() -> None:
    default.cache_clear()
    assert default() is default()
    assert default().registry is not registry


def test_cancel_marks_the_row_then_deletes_the_schedule() -> None:
    clock = Clock(NOW)
    offload, backend = in_memory(clock)
    later = Envelope(task="greet", args=["cy"], due_at=NOW + timedelta(hours=2))
    offload.rows.enqueue([later])
    backend.schedules.send([later])

    offload.cancel(later.id)

    row = offload.status(later.id)
    assert row is not None
    assert row.status == "cancelled"
    assert backend.queue.messages == []
    with pytest.raises(NotScheduledError) as caught:
        offload.cancel("never-queued")
    assert caught.value.status is None


def test_the_worker_handler_builds_its_consumer_once_per_backend() -> None:
    greeted.clear()
    offload, backend = in_memory()
    handler = offload.lambda_handler()
    envelope = Envelope(task="greet", args=["di"])
    event = load_event("worker_send_email")
    event["Records"][0]["body"] = envelope.to_body()

    response = handler(event, make_context())

    assert response == {"batchItemFailures": []}
    assert greeted == ["di"]
    assert handler.consumer() is handler.consumer()
    # After reset() (the environment changed) a backend of the environment's is built anew.
    consumer = handler.consumer()
    offload._backend = MemoryBackend(backend.queue, backend.rows, registry)
    assert handler.consumer() is not consumer


def post(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(path, headers=headers)

    return asyncio.run(go())
