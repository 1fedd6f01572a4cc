"""Every feature over real HTTP: request -> queue -> worker -> its effect, seen where it lands
(the email in SES's outbox, the item in the search index, the summary through the API)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.client import call, emails_to, text_of, wait_for_tasks
from tests.e2e.conftest import Target
from tests.polling import wait_for

pytestmark = pytest.mark.e2e


def unique() -> str:
    # A deployed stack keeps earlier runs' data: every test works on words and addresses of
    # its own.
    return uuid.uuid4().hex[:12]


def test_item_becomes_searchable_and_its_creator_is_told(target: Target) -> None:
    word = f"zq{unique()}"
    caller = f"i-{word}@example.com"
    token = target.token(caller)
    item = {"name": f"Lamp {word}", "description": "brass desk lamp"}

    status, created = call(target, "POST", "/items", item, token=token)

    assert status == 201, created
    item_id = created["item"]["id"]
    assert call(target, "GET", f"/items/{item_id}", token=token) == (200, created["item"])
    statuses = wait_for_tasks(target, created["task_ids"], token)
    assert {s["task"] for s in statuses} == {
        "update_search_index",
        "send_item_created_email",
        "write_log",
    }
    assert {s["status"] for s in statuses} == {"succeeded"}
    # The index has it, for its creator only
    _, found = call(target, "GET", f"/search?q={word}+brass", token=token)
    assert [i["id"] for i in found["items"]] == [item_id]
    _, other = call(target, "GET", f"/search?q={word}", token=target.token(f"x-{word}@example.com"))
    assert other["items"] == []
    # The email went to the creator, from the item template, the name in the body only
    [mail] = emails_to(target, caller)
    assert mail["Subject"] == "Your item is listed"
    assert f"Lamp {word}" in text_of(mail)
    assert "is now listed and searchable" in text_of(mail)


def test_registration_welcomes_the_caller_once(target: Target) -> None:
    caller = f"u-{unique()}@example.com"
    token = target.token(caller)

    status, registered = call(target, "POST", "/register", {"name": "Ada"}, token=token)
    again, conflict = call(target, "POST", "/register", {"name": "Ada"}, token=token)

    assert status == 201, registered
    assert registered["user"]["email"] == caller
    assert (again, conflict) == (409, {"detail": "You are already registered"})
    [welcome] = wait_for_tasks(target, registered["task_ids"], token)
    assert (welcome["task"], welcome["status"]) == ("send_welcome_email", "succeeded")
    [mail] = emails_to(target, caller)
    assert mail["Subject"] == "Welcome aboard"
    assert "Hello Ada" in text_of(mail)
    assert caller in text_of(mail)


def test_dataset_summary_is_pending_then_ready(target: Target) -> None:
    dataset = [{"x": 1, "tag": "a"}, {"x": 3, "tag": "b"}, {"x": None, "tag": "a"}]

    status, accepted = call(target, "POST", "/process", dataset)

    assert status == 202
    code, first = call(target, "GET", accepted["status_url"])
    assert code == 200
    assert first["status"] in {"pending", "ready"}

    def ready() -> dict[str, Any] | None:
        _, body = call(target, "GET", accepted["status_url"])
        return body if body["status"] != "pending" else None

    result = wait_for("the summary", ready)
    assert result["status"] == "ready"
    x = result["summary"]["fields"]["x"]
    assert (x["count"], x["nulls"], x["min"], x["max"], x["mean"]) == (2, 1, 1, 3, 2)


def test_bad_input_is_refused_clearly(target: Target) -> None:
    assert call(target, "POST", "/send-notification/not-an-email")[0] == 422
    assert call(target, "POST", "/items", {"description": "no name"})[0] == 422
    assert call(target, "GET", "/tasks/not-an-id")[0] == 422
    assert call(target, "GET", f"/tasks/{'0' * 32}")[0] == 404


def test_tasks_report_their_status(target: Target) -> None:
    _, accepted = call(target, "POST", "/send-notification/you@example.com")

    statuses = wait_for_tasks(target, accepted["task_ids"])

    for status in statuses:
        assert status["attempts"] == 1
        assert status["enqueued_at"] <= status["started_at"] <= status["finished_at"]
