"""The tutorial's endpoint, with its tasks run by offload's worker in memory (the test kit:
no AWS). write_log writes log.txt in the current folder: each test runs in a folder of its
own."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from offload.testing import TaskKit

from main import app, write_log


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path / "log.txt"


@pytest.fixture
def client(tasks: TaskKit, log: Path) -> TestClient:
    tasks.install(app)
    return TestClient(app)


def test_the_request_is_answered_before_its_tasks_run(
    client: TestClient, tasks: TaskKit, log: Path
) -> None:
    response = client.post("/send-notification/you@example.com", params={"q": "docs"})

    assert response.status_code == 200
    assert response.json() == {"message": "Message sent"}
    assert not log.exists()
    # the dependency's task and the endpoint's, queued together
    assert len(tasks.drain()) == 2


def test_the_tasks_write_the_log(client: TestClient, tasks: TaskKit, log: Path) -> None:
    client.post("/send-notification/you@example.com", params={"q": "docs"})

    tasks.drain()

    assert log.read_text() == "found query: docs\nmessage to you@example.com\n"


def test_without_a_query_only_the_endpoints_task_is_added(
    client: TestClient, tasks: TaskKit, log: Path
) -> None:
    client.post("/send-notification/you@example.com")

    [delivery] = tasks.drain()

    assert delivery.task == "write_log"
    assert log.read_text() == "message to you@example.com\n"


def test_a_failed_task_is_retried(client: TestClient, tasks: TaskKit, log: Path) -> None:
    tasks.fail(write_log, attempts=1)
    client.post("/send-notification/you@example.com")

    deliveries = tasks.drain()

    assert [d.attempt for d in deliveries] == [1, 2]
    assert tasks.status(deliveries[0].task_id) == "succeeded"
    assert log.read_text() == "message to you@example.com\n"


def test_a_task_that_keeps_failing_is_dead_lettered(
    client: TestClient, tasks: TaskKit, log: Path
) -> None:
    tasks.fail(write_log, attempts=range(1, 6))
    client.post("/send-notification/you@example.com")

    deliveries = tasks.drain()

    [dead] = tasks.dead_letters
    assert len(deliveries) == 5
    assert dead.task_id == deliveries[0].task_id
    assert tasks.status(dead.task_id) == "dead_lettered"
    assert not log.exists()
