"""Every feature over real HTTP: request -> queue -> worker -> effect visible through the API."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.client import call, wait_for_tasks
from tests.e2e.conftest import Target
from tests.polling import wait_for

pytestmark = pytest.mark.e2e


def unique() -> str:
    # A deployed stack keeps earlier runs' data: every test works on words and addresses of
    # its own.
    return uuid.uuid4().hex[:12]


def test_item_becomes_searchable_and_its_owner_is_told(target: Target) -> None:
    word = f"zq{unique()}"
    item = {
        "name": f"Lamp {word}",
        "description": "brass desk lamp",
        "owner_email": f"o-{word}@example.com",
    }

    status, created = call(target, "POST", "/items", item)

    assert status == 201
    item_id = created["item"]["id"]
    assert call(target, "GET", f"/items/{item_id}") == (200, created["item"])
    statuses = wait_for_tasks(target, created["task_ids"])
    assert {s["task"] for s in statuses} == {
        "update_search_index",
        "send_item_created_email",
        "write_log",
    }
    assert {s["status"] for s in statuses} == {"succeeded"}
    _, found = call(target, "GET", f"/search?q={word}+brass")
    assert [i["id"] for i in found["items"]] == [item_id]


def test_registration_is_unique_and_welcomes_once(target: Target) -> None:
    user = {"email": f"u-{unique()}@example.com", "name": "Ada"}

    status, registered = call(target, "POST", "/register", user)
    again, conflict = call(target, "POST", "/register", user)

    assert status == 201
    assert (again, conflict) == (409, {"detail": "This email is already registered"})
    [welcome] = wait_for_tasks(target, registered["task_ids"])
    assert (welcome["task"], welcome["status"]) == ("send_welcome_email", "succeeded")


def test_dataset_summary_is_served_once_ready(target: Target) -> None:
    dataset = [{"x": 1, "tag": "a"}, {"x": 3, "tag": "b"}, {"x": None, "tag": "a"}]

    status, accepted = call(target, "POST", "/process", dataset)

    assert status == 202

    def ready() -> dict[str, Any] | None:
        code, body = call(target, "GET", accepted["status_url"])
        return body if code == 200 else None

    result = wait_for("the summary", ready)
    assert result["status"] == "ready"
    x = result["summary"]["fields"]["x"]
    assert (x["count"], x["nulls"], x["min"], x["max"], x["mean"]) == (2, 1, 1, 3, 2)


def test_bad_input_is_refused_clearly(target: Target) -> None:
    assert call(target, "POST", "/send-notification/not-an-email")[0] == 422
    assert call(target, "POST", "/items", {"name": "x"})[0] == 422
    assert call(target, "GET", "/tasks/not-an-id")[0] == 422
    assert call(target, "GET", f"/tasks/{'0' * 32}")[0] == 404


def test_tasks_report_their_status(target: Target) -> None:
    _, accepted = call(target, "POST", f"/send-notification/s-{unique()}@example.com")

    statuses = wait_for_tasks(target, accepted["task_ids"])

    for status in statuses:
        assert status["attempts"] == 1
        assert status["enqueued_at"] <= status["updated_at"]
