"""Data processing: POST /process answers at once, the worker's summary is served once ready,
to the caller who posted it; data the summary cannot take fails with a reason, never the DLQ.

The summary is the point here, not SQS: its task runs through offload's test kit (the queue and
the worker in memory, the real pipeline), the stores stay in moto."""

from __future__ import annotations

import json

import pytest

from app.wiring import wiring
from offload.outcome import Rejected
from offload.testing import TaskKit
from tests.functional.conftest import ALICE, BOB, Cloud, User


@pytest.fixture
def worker(cloud: Cloud, tasks: TaskKit) -> TaskKit:
    """The API's tasks go to the test kit (given back to the app when the test ends), which
    runs them when drained."""
    from api.main import app

    tasks.install(app)
    return tasks


DATASET = [
    {"city": "Lyon", "temp": 12.5, "rain": True},
    {"city": "Oslo", "temp": -3},
    {"city": "Lyon", "temp": None, "rain": False},
    {"city": "Rome", "temp": 21.5},
]


def test_summary_is_pending_then_ready(cloud: Cloud, worker: TaskKit) -> None:
    status, accepted = cloud.call_api("POST", "/process", DATASET)

    assert status == 202
    assert accepted["status_url"] == f"/process/{accepted['id']}"
    status, pending = cloud.call_api("GET", accepted["status_url"])
    assert (status, pending["status"], pending["summary"]) == (200, "pending", None)

    [delivery] = worker.drain()

    assert delivery.task == "summarize_dataset"
    status, result = cloud.call_api("GET", accepted["status_url"])
    assert status == 200
    assert result["status"] == "ready"
    summary = result["summary"]
    assert summary["records"] == 4
    temp = summary["fields"]["temp"]
    assert (temp["count"], temp["nulls"], temp["min"], temp["max"]) == (3, 1, -3, 21.5)
    assert temp["mean"] == (12.5 - 3 + 21.5) / 3
    city = summary["fields"]["city"]
    assert city["distinct"] == 3
    assert city["top"][0] == ["Lyon", 2]
    assert summary["fields"]["rain"]["nulls"] == 2


def test_bad_datasets_are_refused(cloud: Cloud) -> None:
    assert cloud.call_api("POST", "/process", {"not": "a list"})[0] == 422
    assert cloud.call_api("POST", "/process", [1, 2, 3])[0] == 422
    assert cloud.call_api("POST", "/process", [{}] * 1001)[0] == 422
    too_big = [{"text": "x" * 1000}] * 200
    assert cloud.call_api("POST", "/process", too_big)[0] == 413
    assert cloud.call_api("POST", "/process", "a,b\n1,2", content_type="text/csv")[0] == 415
    assert cloud.receive(cloud.task_queue_url) == []
    assert cloud.call_api("GET", "/process/not-an-id")[0] == 422


def test_a_summary_is_its_posters_only(cloud: Cloud, admin: User) -> None:
    _, accepted = cloud.call_api("POST", "/process", DATASET)
    cloud.run_worker()

    assert cloud.call_api("GET", accepted["status_url"], as_user=BOB)[0] == 404
    assert cloud.call_api("GET", accepted["status_url"], as_user=admin)[0] == 200
    assert cloud.call_api("GET", f"/process/{'0' * 32}")[0] == 404


def test_a_number_no_float_holds_fails_the_task_with_a_reason_not_the_dlq(
    cloud: Cloud, worker: TaskKit
) -> None:
    # Valid JSON, accepted at once: only summarising finds it cannot be a float
    huge = "9" * 400
    status, accepted = cloud.call_api("POST", "/process", f'[{{"a": {huge}}}]')
    assert status == 202

    [delivery] = worker.drain()

    assert delivery.task == "summarize_dataset"
    assert isinstance(delivery.outcome, Rejected)
    reason = {"code": "invalid_data", "message": "A number in field 'a' is too large to summarise."}
    _, summary = cloud.call_api("GET", accepted["status_url"])
    assert (summary["status"], summary["reason"]) == ("failed", reason)
    task = worker.row(accepted["task_id"])
    assert task.reason is not None
    assert (task.status, task.reason.model_dump(), task.attempts) == ("failed", reason, 1)
    # Acknowledged at once: nothing left to retry, nothing for an operator
    assert worker.queue.messages == []
    assert worker.dead_letters == []


@pytest.mark.settings(DATASETS_PER_USER_PER_DAY="2")
def test_each_user_has_a_daily_quota_of_datasets(cloud: Cloud) -> None:
    for _ in range(2):
        assert cloud.call_api("POST", "/process", DATASET)[0] == 202
    queued = cloud.receive(cloud.task_queue_url)

    response = cloud.api_response("POST", "/process", DATASET)

    assert response["statusCode"] == 429
    assert json.loads(response["body"]) == {"detail": "Daily limit of 2 datasets reached."}
    assert 0 < int(response["headers"]["retry-after"]) <= 86_400
    # Nothing created, nothing queued, nothing more counted
    assert (len(queued), len(cloud.rows("DATASET#"))) == (2, 2)
    assert cloud.receive(cloud.task_queue_url) == []
    assert wiring().dataset_quota.used(ALICE.sub) == 2
    # Another user's quota is their own
    assert cloud.call_api("POST", "/process", DATASET, as_user=BOB)[0] == 202


@pytest.mark.settings(DATASETS_PER_USER_PER_DAY="1")
def test_a_dataset_that_could_not_be_queued_gives_its_quota_back(cloud: Cloud) -> None:
    with cloud.sqs_refusing():
        assert cloud.call_api("POST", "/process", DATASET)[0] == 503

    assert wiring().dataset_quota.used(ALICE.sub) == 0
    assert cloud.call_api("POST", "/process", DATASET)[0] == 202
