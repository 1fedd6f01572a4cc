from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI, HTTPException, Request

from offload import (
    EnqueueError,
    Envelope,
    TaskArgumentsError,
    TaskRegistry,
    UnregisteredTaskError,
)
from offload.config import Config
from offload.front_door import Offload
from offload.producer import BackgroundTasks, correlation_id_of


class FakeQueue:
    def __init__(self, refuse: bool = False, journal: list[str] | None = None) -> None:
        self.sent: list[list[Envelope]] = []
        self.refuse = refuse
        self.journal = journal if journal is not None else []

    def send(self, envelopes: Sequence[Envelope]) -> None:
        self.journal.append("send " + " ".join(e.id for e in envelopes))
        if self.refuse:
            raise EnqueueError("queue unavailable", [e.id for e in envelopes])
        self.sent.append(list(envelopes))


class FakeRows:
    """The calls the producer makes on the task rows, in order, in a journal it shares."""

    def __init__(self, journal: list[str], refuse: bool = False) -> None:
        self.journal = journal
        self.refuse = refuse

    def enqueue(self, envelopes: Sequence[Envelope]) -> None:
        self.journal.append("rows " + " ".join(e.id for e in envelopes))
        if self.refuse:
            raise ConnectionError("DynamoDB unavailable")

    def discard(self, task_ids: Sequence[str]) -> None:
        self.journal.append("discard " + " ".join(task_ids))

    def cancel(self, task_ids: Sequence[str]) -> None:
        self.journal.append("cancel " + " ".join(task_ids))


class FakeBackend:
    """The API side's parts: a queue for every task, rows (journalled or not)."""

    def __init__(self, queue: object, rows: object) -> None:
        self.queues = {"default": queue}
        self.rows = rows


def install(app: FastAPI, queue: object, rows: FakeRows | None = None, **options: Any) -> None:
    """The app's tasks go to `queue`; their rows to `rows`, or nowhere the test looks."""
    backend: Any = FakeBackend(queue, rows or FakeRows([]))
    Offload(Config(), registry=registry, backend=backend).install(app, **options)


registry = TaskRegistry()


@registry.task("notify")
def notify(email: str, message: str = "") -> None: ...


@registry.task("audit")
def audit(event: str) -> None: ...


def not_a_task(x: int) -> None: ...


def audit_request(background_tasks: BackgroundTasks) -> None:
    background_tasks.add_task(audit, "request seen")


Audited = Annotated[None, Depends(audit_request)]


def make_app(queue: FakeQueue, rows: FakeRows | None = None) -> FastAPI:
    app = FastAPI()
    install(app, queue, rows)

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
    assert response.json() == {
        "detail": "The request's background work could not be queued; please retry."
    }
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


def test_arguments_that_do_not_fit_fail_the_request_at_the_call_and_queue_nothing() -> None:
    journal: list[str] = []
    app = make_app(FakeQueue(journal=journal), FakeRows(journal))

    async def go() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            await client.post("/bad-args")

    # A programming error: the endpoint's own call raises, naming the task and the argument.
    with pytest.raises(TaskArgumentsError, match=r"^notify: missing a required argument: 'email'$"):
        asyncio.run(go())
    # Served, that is a 500 which echoes nothing of the request.
    response = post(app, "/bad-args")
    assert (response.status_code, response.text) == (500, "Internal Server Error")
    assert journal == []


def test_rows_are_written_before_any_message_is_sent() -> None:
    # A worker can then never find a task whose row is still to come, and the API's `queued`
    # write (unconditional, for fresh ids) can never land on a row a worker has moved on.
    journal: list[str] = []

    response = post(make_app(FakeQueue(journal=journal), FakeRows(journal)), "/notify/a@x.org")

    ids = " ".join(response.json())
    assert journal == [f"rows {ids}", f"send {ids}"]


def test_rows_that_cannot_be_written_send_nothing() -> None:
    journal: list[str] = []
    queue = FakeQueue(journal=journal)

    response = post(make_app(queue, FakeRows(journal, refuse=True)), "/notify/a@x.org")

    assert response.status_code == 503
    [rows, discard] = journal
    assert rows.startswith("rows ")
    assert discard == "discard " + rows.removeprefix("rows ")
    assert queue.sent == []


def test_missing_queue_configuration_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OFFLOAD_TABLE_NAME", "tasks")
    monkeypatch.delenv("OFFLOAD_QUEUE_URL", raising=False)
    app = FastAPI()
    Offload(registry=registry).install(app)

    @app.post("/x")
    async def x(background_tasks: BackgroundTasks) -> None:
        background_tasks.add_task(audit, "x")

    # Nothing claimed: 503, and the log says what to set.
    assert post(app, "/x").status_code == 503
    assert "set OFFLOAD_QUEUE_URL" in caplog.text


def request_with(headers: dict[str, str], event: dict[str, object] | None = None) -> Request:
    scope: dict[str, object] = {
        "type": "http",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    if event is not None:
        scope["aws.event"] = event
    return Request(scope)


@pytest.mark.parametrize("header", ["corr-42", "a", "A.b_c:d-9", "x" * 128, "9" + "z" * 127])
def test_a_client_correlation_id_that_looks_like_an_id_is_kept(header: str) -> None:
    assert correlation_id_of(request_with({"X-Correlation-Id": header})) == header


API_EVENT: dict[str, object] = {"requestContext": {"requestId": "Ab1CdEfGhIjKlM="}}


@pytest.mark.parametrize(
    "header",
    ["", "x" * 129, "-leading-dash", ".dot", "line\nbreak", 'a"quote', "a b", "é", "a/b"],
)
def test_any_other_correlation_id_gives_way_to_api_gateways_request_id(header: str) -> None:
    # It is copied into every log line of the request's tasks: it must not forge entries.
    request = request_with({"x-correlation-id": header} if header else {}, API_EVENT)

    assert correlation_id_of(request) == "Ab1CdEfGhIjKlM="


@pytest.mark.parametrize(
    "event", [None, {}, {"requestContext": None}, {"requestContext": {"requestId": ""}}]
)
def test_without_a_request_id_the_correlation_id_is_a_fresh_one(
    event: dict[str, object] | None,
) -> None:
    request = request_with({"x-correlation-id": "bad id"}, event)

    first, second = correlation_id_of(request), correlation_id_of(request)

    assert re.fullmatch(r"[0-9a-f]{32}", first)
    assert first != second


class FailingQueue:
    """Refuses with what a send can raise: an EnqueueError naming the refused tasks, or any
    other error after which each task may have been taken."""

    def __init__(self, journal: list[str], error: Exception) -> None:
        self.journal = journal
        self.error = error

    def send(self, envelopes: Sequence[Envelope]) -> None:
        self.journal.append("send " + " ".join(e.id for e in envelopes))
        raise self.error


def undoing_app(queue: object, rows: FakeRows | None, journal: list[str]) -> FastAPI:
    app = FastAPI()
    install(app, queue, rows, owner=lambda request: request.headers.get("x-user"))

    def broken() -> None:
        journal.append("undo broken")
        raise ConnectionError("row store unavailable")

    @app.post("/create")
    async def create(background_tasks: BackgroundTasks) -> list[str]:
        background_tasks.on_enqueue_failure(lambda: journal.append("undo row"))
        background_tasks.on_enqueue_failure(broken)
        background_tasks.add_task(notify, "a@example.com")
        background_tasks.on_enqueue_failure(lambda: journal.append("undo quota"))
        background_tasks.add_task(audit, "created")
        return background_tasks.task_ids

    return app


def test_a_refused_request_undoes_its_steps_newest_first_even_past_a_failing_one() -> None:
    journal: list[str] = []

    response = post(undoing_app(FakeQueue(refuse=True, journal=journal), None, journal), "/create")

    assert response.status_code == 503
    assert journal[1:] == ["undo quota", "undo broken", "undo row"]


def test_a_queued_request_undoes_nothing_and_its_tasks_carry_the_owner() -> None:
    journal: list[str] = []
    queue = FakeQueue(journal=journal)

    response = post(undoing_app(queue, None, journal), "/create", headers={"x-user": "ada"})

    assert response.status_code == 200
    assert journal == ["send " + " ".join(response.json())]
    assert {e.owner for e in queue.sent[0]} == {"ada"}


def test_without_an_owner_function_tasks_have_no_owner() -> None:
    queue = FakeQueue()

    post(make_app(queue), "/notify/a@example.com", headers={"x-user": "ada"})

    assert {e.owner for e in queue.sent[0]} == {None}


@pytest.mark.parametrize(
    ("refused", "taken"),
    [(slice(0, 2), slice(0, 0)), (slice(1, 2), slice(0, 1)), (slice(0, 0), slice(0, 2))],
)
def test_after_a_queue_refusal_refused_rows_are_forgotten_and_taken_ones_cancelled(
    refused: slice, taken: slice
) -> None:
    journal: list[str] = []
    ids: list[str] = []

    class PartlyRefusing:
        def send(self, envelopes: Sequence[Envelope]) -> None:
            ids.extend(e.id for e in envelopes)
            raise EnqueueError("some refused", ids[refused])

    app = undoing_app(PartlyRefusing(), FakeRows(journal), journal)

    assert post(app, "/create").status_code == 503
    expected = [f"rows {' '.join(ids)}"]
    expected += [f"discard {' '.join(ids[refused])}"] if ids[refused] else []
    expected += [f"cancel {' '.join(ids[taken])}"] if ids[taken] else []
    assert journal[: len(expected)] == expected
    assert journal[len(expected) :] == ["undo quota", "undo broken", "undo row"]


def test_after_any_other_send_error_every_row_is_cancelled() -> None:
    # Each task may have been taken: a row that says cancelled keeps the worker from running it.
    journal: list[str] = []
    queue = FailingQueue(journal, TimeoutError("read timed out"))

    response = post(undoing_app(queue, FakeRows(journal), journal), "/create")

    assert response.status_code == 503
    ids = journal[0].removeprefix("rows ")
    assert journal[:3] == [f"rows {ids}", f"send {ids}", f"cancel {ids}"]


def test_rows_that_cannot_be_taken_back_still_answer_503_and_undo() -> None:
    journal: list[str] = []

    class Stuck(FakeRows):
        def discard(self, task_ids: Sequence[str]) -> None:
            raise ConnectionError("DynamoDB unavailable")

    queue = FakeQueue(refuse=True, journal=journal)

    response = post(undoing_app(queue, Stuck(journal), journal), "/create")

    assert response.status_code == 503
    assert journal[2:] == ["undo quota", "undo broken", "undo row"]
