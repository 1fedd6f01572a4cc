"""Tasks added for later: same batch, same rows, SQS's delay up to 15 minutes, a one-time
schedule beyond, and a 503 that takes back whatever was made when any part is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from offload import EnqueueError, Envelope, Offload, TaskRegistry
from offload.config import Config
from offload.exceptions import TaskArgumentsError, TaskTimingError
from offload.producer import BackgroundTasks, RequestTasks
from offload.schedules import MAX_SCHEDULED_BODY_BYTES, OneTimeSchedules
from offload.testing import MemoryTaskRows

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
registry = TaskRegistry()


@registry.task("remind")
def remind(email: str, delay: int = 0) -> None:
    """Its own `delay` argument: `later()` leaves every keyword to the task."""


class FakeQueue:
    def __init__(self, refuse: bool = False) -> None:
        self.sent: list[Envelope] = []
        self.refuse = refuse

    def send(self, envelopes: Sequence[Envelope]) -> None:
        if self.refuse:
            raise EnqueueError("queue unavailable", [e.id for e in envelopes])
        self.sent += envelopes


class FakeSchedules:
    def __init__(self, refuse: bool = False) -> None:
        self.made: dict[str, Envelope] = {}
        self.refuse = refuse

    def send(self, envelopes: Sequence[Envelope]) -> None:
        if self.refuse:
            raise EnqueueError("scheduler unavailable", [e.id for e in envelopes])
        self.made |= {e.id: e for e in envelopes}

    def delete(self, task_id: str) -> None:
        self.made.pop(task_id, None)


class Parts:
    """An app whose tasks go to a fake queue and fake schedules, their rows in memory (the
    backend offload.front_door.Offload takes); `scheduler` False: none is configured."""

    def __init__(
        self,
        queue_refuses: bool = False,
        scheduler_refuses: bool = False,
        scheduler: bool = True,
        clock: Callable[[], datetime] | None = lambda: NOW,
    ) -> None:
        self.queue = FakeQueue(queue_refuses)
        self.fake_schedules = FakeSchedules(scheduler_refuses)
        self.has_scheduler = scheduler
        self.rows = MemoryTaskRows(lambda: NOW)
        self.queues = {"default": self.queue}
        self.app = FastAPI()
        backend: Any = self
        Offload(Config(), registry=registry, backend=backend, clock=clock).install(self.app)

        @self.app.post("/remind")
        async def endpoint(background_tasks: BackgroundTasks, seconds: float) -> list[str]:
            background_tasks.add_task(remind, "a@example.com")
            later = background_tasks.later(timedelta(seconds=seconds))
            later.add_task(remind, "a@example.com", delay=7)
            return background_tasks.task_ids

        @self.app.post("/at")
        async def at(background_tasks: BackgroundTasks, when: datetime) -> list[str]:
            background_tasks.at(when).add_task(remind, "a@example.com")
            return background_tasks.task_ids

    @property
    def schedules(self) -> OneTimeSchedules:
        if not self.has_scheduler:
            Config().require_schedules(set())
        return self.fake_schedules

    def post(self, path: str, **params: str) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                return await client.post(path, params=params)

        return asyncio.run(go())


def test_a_task_later_by_up_to_15_minutes_rides_sqs_with_its_due_time() -> None:
    parts = Parts()
    now_id, later_id = parts.post("/remind", seconds="900").json()

    assert [e.id for e in parts.queue.sent] == [now_id, later_id]
    assert parts.queue.sent[1].due_at == NOW + timedelta(minutes=15)
    assert parts.queue.sent[1].kwargs == {"delay": 7}
    assert parts.fake_schedules.made == {}
    assert parts.rows.get(now_id).status == "queued"  # type: ignore[union-attr]
    later = parts.rows.get(later_id)
    assert later is not None
    assert (later.status, later.due_at) == ("scheduled", NOW + timedelta(minutes=15))


def test_a_task_later_than_15_minutes_gets_a_one_time_schedule() -> None:
    parts = Parts()
    now_id, later_id = parts.post("/remind", seconds="3600").json()

    assert [e.id for e in parts.queue.sent] == [now_id]
    assert list(parts.fake_schedules.made) == [later_id]
    assert parts.fake_schedules.made[later_id].due_at == NOW + timedelta(hours=1)


def test_at_a_time_in_another_zone_is_the_same_moment() -> None:
    parts = Parts()
    [task_id] = parts.post("/at", when="2026-12-01T15:00:00+02:00").json()

    assert parts.fake_schedules.made[task_id].due_at == NOW + timedelta(hours=1)


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/remind", {"seconds": "-1"}),
        ("/remind", {"seconds": str(366 * 24 * 3600)}),
        ("/at", {"when": "2026-12-01T11:00:00+00:00"}),
    ],
)
def test_a_time_it_cannot_run_at_fails_the_request_loudly(
    path: str, params: dict[str, str]
) -> None:
    parts = Parts()
    with pytest.raises(TaskTimingError):
        asyncio.run(_raising(parts.app, path, params))
    assert parts.queue.sent == []
    assert parts.rows.rows == {}


async def _raising(app: FastAPI, path: str, params: dict[str, str]) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.post(path, params=params)


def test_a_scheduler_refusal_answers_503_and_leaves_nothing() -> None:
    parts = Parts(scheduler_refuses=True)

    assert parts.post("/remind", seconds="3600").status_code == 503
    assert parts.queue.sent == []
    assert parts.rows.rows == {}


def test_an_sqs_refusal_after_scheduling_takes_the_schedules_back() -> None:
    parts = Parts(queue_refuses=True)

    assert parts.post("/remind", seconds="3600").status_code == 503
    assert parts.fake_schedules.made == {}
    assert parts.rows.rows == {}


def test_the_task_arguments_stay_type_checked() -> None:
    parts = Parts()

    @parts.app.post("/typed")
    async def typed(background_tasks: BackgroundTasks) -> None:
        background_tasks.later(timedelta(hours=1)).add_task(remind, 42)  # type: ignore[arg-type]

    assert parts.post("/typed").status_code == 500


def test_a_task_due_beyond_15_minutes_without_a_scheduler_answers_503() -> None:
    parts = Parts(scheduler=False)

    assert parts.post("/remind", seconds="3600").status_code == 503
    assert parts.queue.sent == []
    assert parts.rows.rows == {}


def test_the_real_clock_decides_when_none_is_given() -> None:
    parts = Parts(clock=None)

    soon, later = parts.post("/remind", seconds="3600").json()

    assert [e.id for e in parts.queue.sent] == [soon]
    assert list(parts.fake_schedules.made) == [later]
    due = parts.fake_schedules.made[later].due_at
    assert due is not None
    assert due > NOW


def test_a_schedule_that_cannot_be_deleted_keeps_its_row_cancelled() -> None:
    parts = Parts(queue_refuses=True)

    def stuck(task_id: str) -> None:
        raise ConnectionError("scheduler unavailable")

    parts.fake_schedules.delete = stuck  # type: ignore[method-assign]

    assert parts.post("/remind", seconds="3600").status_code == 503
    # The task SQS refused is forgotten; the scheduled one's row says cancelled, so the worker
    # will not run it when its schedule fires.
    [scheduled] = parts.fake_schedules.made
    assert {k: v["status"] for k, v in parts.rows.rows.items()} == {scheduled: "cancelled"}


def test_a_scheduled_task_takes_arguments_up_to_the_schedulers_limit() -> None:
    # Beyond 15 minutes a task waits in a one-time schedule, whose input is limited; SQS's own
    # delay takes the same task of any size the queue takes.
    batch = RequestTasks(registry, lambda: NOW)
    later = batch.later(timedelta(hours=1))
    with pytest.raises(TaskArgumentsError) as refused:
        later.add_task(remind, "x" * MAX_SCHEDULED_BODY_BYTES)
    message = re.fullmatch(
        r"remind: (\d+) bytes of arguments is too much to schedule "
        rf"\(at most {MAX_SCHEDULED_BODY_BYTES}\); pass a key to the data instead",
        str(refused.value),
    )
    assert message is not None
    fitting = MAX_SCHEDULED_BODY_BYTES - (int(message[1]) - MAX_SCHEDULED_BODY_BYTES)

    later.add_task(remind, "x" * fitting)
    with pytest.raises(TaskArgumentsError):
        later.add_task(remind, "x" * (fitting + 1))
    batch.later(timedelta(minutes=15)).add_task(remind, "x" * MAX_SCHEDULED_BODY_BYTES)
    assert len(batch) == 2


def _rows_refused(parts: Parts) -> None:
    def enqueue(envelopes: Sequence[Envelope]) -> None:
        raise ConnectionError("DynamoDB unavailable")

    parts.rows.enqueue = enqueue  # type: ignore[method-assign]


def _no_scheduler(parts: Parts) -> None:
    parts.has_scheduler = False


@pytest.mark.parametrize(
    ("setup", "cause"),
    [
        (_rows_refused, "DynamoDB unavailable"),
        (lambda parts: setattr(parts.fake_schedules, "refuse", True), "scheduler unavailable"),
        (lambda parts: setattr(parts.queue, "refuse", True), "default: queue unavailable"),
        (
            _no_scheduler,
            "environment variables not set for tasks due more than 15 minutes ahead: "
            "OFFLOAD_SCHEDULE_GROUP_NAME, OFFLOAD_SCHEDULER_ROLE_ARN (the template sets them: "
            "README, 'Add it to your app')",
        ),
    ],
)
def test_a_503_is_logged_with_its_cause(
    setup: Callable[[Parts], None], cause: str, caplog: pytest.LogCaptureFixture
) -> None:
    # The client sees only "please retry": the log is where an operator learns why.
    parts = Parts()
    setup(parts)

    assert parts.post("/remind", seconds="3600").status_code == 503
    assert f"tasks not queued, answering 503: {cause}" in [
        r.getMessage() for r in caplog.records if r.name == "offload.producer"
    ]
