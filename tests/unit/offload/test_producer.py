from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException

from offload import EnqueueError, Envelope, TaskRegistry, UnregisteredTaskError
from offload.producer import BackgroundTasks, use_task_queue


class FakeQueue:
    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[list[Envelope]] = []
        self.refuse = refuse

    def send(self, envelopes: Sequence[Envelope]) -> None:
        if self.refuse:
            raise EnqueueError("queue unavailable", [e.id for e in envelopes])
        self.sent.append(list(envelopes))


registry = TaskRegistry()


@registry.task("notify")
def notify(email: str, message: str = "") -> None: ...


@registry.task("audit")
def audit(event: str) -> None: ...


def not_a_task(x: int) -> None: ...


def audit_request(background_tasks: BackgroundTasks) -> None:
    background_tasks.add_task(audit, "request seen")


Audited = Annotated[None, Depends(audit_request)]


def make_app(queue: FakeQueue) -> FastAPI:
    app = FastAPI()
    use_task_queue(app, lambda: queue, registry)

    @app.post("/notify/{email}")
    async def endpoint(email: str, _: Audited, background_tasks: BackgroundTasks) -> list[str]:
        background_tasks.add_task(notify, email, message="hi")
        return background_tasks.task_ids

    @app.post("/nothing")
    async def nothing(background_tasks: BackgroundTasks) -> dict[str, int]:
        return {"tasks": len(background_tasks)}

    @app.post("/fails")
    async def fails(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(notify, "a@example.com")
        raise HTTPException(status_code=409, detail="conflict")

    @app.post("/wrong")
    async def wrong(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(not_a_task, 1)

    @app.post("/bad-args")
    async def bad_args(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(notify)  # type: ignore[call-arg]

    return app


def post(app: FastAPI, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(path, headers=headers)

    return asyncio.run(go())


def test_tasks_from_dependency_and_endpoint_leave_together_in_one_send() -> None:
    queue = FakeQueue()

    response = post(make_app(queue), "/notify/a@example.com")

    assert response.status_code == 200
    assert len(queue.sent) == 1
    [batch] = queue.sent
    assert [e.task for e in batch] == ["audit", "notify"]
    assert batch[1].args == ["a@example.com"]
    assert batch[1].kwargs == {"message": "hi"}
    assert response.json() == [e.id for e in batch]


def test_correlation_id_header_travels_in_every_envelope() -> None:
    queue = FakeQueue()

    post(make_app(queue), "/notify/a@example.com", headers={"x-correlation-id": "corr-42"})

    assert {e.correlation_id for e in queue.sent[0]} == {"corr-42"}


def test_no_tasks_means_no_send() -> None:
    queue = FakeQueue()

    assert post(make_app(queue), "/nothing").json() == {"tasks": 0}
    assert queue.sent == []


def test_queue_refusing_answers_503_and_claims_nothing() -> None:
    response = post(make_app(FakeQueue(refuse=True)), "/notify/a@example.com")

    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"
    assert "could not be queued" in response.json()["detail"]
    assert "task_ids" not in response.text


def test_a_failed_request_queues_nothing() -> None:
    queue = FakeQueue()

    assert post(make_app(queue), "/fails").status_code == 409
    assert queue.sent == []


def test_unregistered_function_fails_the_request_at_the_call() -> None:
    app = make_app(FakeQueue())

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.post("/wrong")

    with pytest.raises(UnregisteredTaskError, match="not_a_task is not a registered task"):
        asyncio.run(go())


def test_arguments_that_do_not_fit_fail_the_request() -> None:
    assert post(make_app(FakeQueue()), "/bad-args").status_code == 500


def test_missing_queue_configuration_is_a_clear_error() -> None:
    app = FastAPI()

    @app.post("/x")
    async def x(background_tasks: BackgroundTasks) -> None: ...

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.post("/x")

    with pytest.raises(RuntimeError, match="use_task_queue"):
        asyncio.run(go())
