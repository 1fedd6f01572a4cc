"""Recent failures come from a sparse index of the task rows (RecentFailures): a task is in it
while it is retrying, failed or dead-lettered, and only then, through the status writes alone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.background import background
from app.email import Mailer
from offload import TaskRow
from tests.conftest import make_context
from tests.functional.conftest import Cloud
from worker.handler import handler as worker_handler

NOTIFY = "/send-notification/you@example.com"


def listed() -> dict[str, TaskRow]:
    """Today's failures, then yesterday's (as the console lists them): a task that failed a
    moment before midnight is still listed when the test looks a moment after it."""
    today = datetime.now(UTC).date()
    return {
        row.id: row
        for day in (today, today - timedelta(days=1))
        for row in background.failures(day)
    }


def failing_send(*args: object, **kwargs: object) -> None:
    raise ConnectionError("SES throttled")


def test_tasks_that_succeed_are_never_listed(cloud: Cloud) -> None:
    _, body = cloud.call_api("POST", NOTIFY)

    cloud.run_worker()

    assert body["task_ids"]
    assert listed() == {}


def test_a_retrying_task_is_listed_until_its_retry_succeeds(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.call_api("POST", NOTIFY)
    message = next(
        m
        for m in cloud.receive(cloud.task_queue_url)
        if json.loads(m["Body"])["task"] == "send_email"
    )
    task_id = json.loads(message["Body"])["id"]
    real_send = Mailer.send
    monkeypatch.setattr(Mailer, "send", failing_send)

    worker_handler(cloud.sqs_event([message]), make_context())
    retrying = listed()
    monkeypatch.setattr(Mailer, "send", real_send)
    again = message | {"Attributes": message["Attributes"] | {"ApproximateReceiveCount": "2"}}
    worker_handler(cloud.sqs_event([again]), make_context())

    assert list(retrying) == [task_id]
    record = retrying[task_id]
    assert (record.task, record.status, record.attempts) == ("send_email", "retrying", 1)
    assert record.reason is not None
    assert record.reason.code == "temporary_error"
    assert record.correlation_id
    assert listed() == {}


def test_dead_lettered_and_failed_tasks_are_listed_newest_first(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.call_api("POST", NOTIFY)
    messages = cloud.receive(cloud.task_queue_url)
    last = [
        m | {"Attributes": m["Attributes"] | {"ApproximateReceiveCount": "5"}} for m in messages
    ]
    monkeypatch.setattr(Mailer, "send", failing_send)
    cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody="not an envelope")

    worker_handler(cloud.sqs_event(last), make_context())

    failures = listed()
    email = next(r for r in failures.values() if r.task == "send_email")
    assert (email.status, email.reason and email.reason.code) == (
        "dead_lettered",
        "retries_exhausted",
    )
    # newest first: the order of updated_at, the index's sort key
    times = [r.updated_at for r in failures.values()]
    assert times == sorted(times, reverse=True)
