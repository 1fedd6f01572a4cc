"""Each caller sees only their own, and nobody is emailed who did not ask, over real HTTP through
the local cloud: user B asking for user A's task, file, item or summary gets the 404 of a thing
that does not exist; an address that is not the caller's own is a 403; past a daily quota, 429."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.multipart import multipart
from tests.polling import wait_for
from tests.security.conftest import EMAILS_PER_DAY, UPLOAD_BYTES_PER_DAY, Stack
from tests.security.http import call

pytestmark = pytest.mark.e2e


def address() -> str:
    return f"s-{uuid.uuid4().hex[:10]}@example.com"


def test_another_users_resources_are_404(stack: Stack) -> None:
    alice, bob = stack.token(address()), stack.token(address())
    _, item, _ = call(f"{stack.api}/items", "POST", {"name": "secret teapot"}, alice)
    _, dataset, _ = call(f"{stack.api}/process", "POST", [{"a": 1}], alice)
    body, content_type = multipart(("file", "a.txt", "text/plain", b"private"))
    _, file, _ = call(
        f"{stack.api}/upload", "POST", body, alice, headers={"content-type": content_type}
    )
    owned = [
        f"/items/{item['item']['id']}",
        f"/tasks/{item['task_ids'][0]}",
        f"/process/{dataset['id']}",
        f"/files/{file['id']}",
    ]

    assert [call(f"{stack.api}{path}", token=alice)[0] for path in owned] == [200] * 4
    assert [call(f"{stack.api}{path}", token=bob)[0] for path in owned] == [404] * 4
    _, found, _ = call(f"{stack.api}/search?q=teapot", token=bob)
    assert found["items"] == []


def test_nobody_is_emailed_who_did_not_ask(stack: Stack) -> None:
    me, other = address(), address()

    status, body, _ = call(f"{stack.api}/send-notification/{other}", "POST", token=stack.token(me))

    assert (status, body) == (403, {"detail": "Notifications go to your own verified address only"})
    # The item's email goes to its creator: the body cannot name anyone
    status, _, _ = call(
        f"{stack.api}/items", "POST", {"name": "x", "owner_email": other}, stack.token(me)
    )
    assert status == 422


@pytest.mark.usefixtures("within_one_utc_day")
def test_each_recipient_has_a_daily_quota(stack: Stack) -> None:
    me = address()
    token = stack.token(me)
    for _ in range(EMAILS_PER_DAY):
        assert call(f"{stack.api}/send-notification/{me}", "POST", token=token)[0] == 202

    status, body, headers = call(f"{stack.api}/send-notification/{me}", "POST", token=token)

    assert status == 429
    assert body == {"detail": f"Daily limit of {EMAILS_PER_DAY} emails reached."}
    assert 0 < int(headers["retry-after"]) <= 86_400


@pytest.mark.usefixtures("within_one_utc_day")
def test_each_user_has_a_daily_upload_quota(stack: Stack) -> None:
    token = stack.token(address())
    signed = {"filename": "big.png", "content_type": "image/png", "size": UPLOAD_BYTES_PER_DAY}
    assert call(f"{stack.api}/uploads", "POST", signed, token)[0] == 201

    status, body, headers = call(f"{stack.api}/uploads", "POST", signed | {"size": 1}, token)

    assert (status, body) == (
        429,
        {"detail": f"Daily limit of {UPLOAD_BYTES_PER_DAY} bytes uploaded reached."},
    )
    assert "retry-after" in headers


def test_registering_twice_only_ever_tells_the_caller_about_themself(stack: Stack) -> None:
    first, second = stack.token(address()), stack.token(address())

    assert call(f"{stack.api}/register", "POST", {"name": "A"}, first)[0] == 201
    assert call(f"{stack.api}/register", "POST", {"name": "A"}, first)[:2] == (
        409,
        {"detail": "You are already registered"},
    )
    assert call(f"{stack.api}/register", "POST", {"name": "B"}, second)[0] == 201


def test_the_log_of_notified_addresses_is_for_admins(stack: Stack) -> None:
    assert call(f"{stack.api}/logs", token=stack.token(address()))[0] == 403
    assert call(f"{stack.api}/logs", token=stack.token("admin@example.com", admin=True))[0] == 200


def test_data_no_float_holds_fails_its_task_with_a_reason_and_pages_nobody(stack: Stack) -> None:
    token = stack.token(address())
    status, accepted, _ = call(
        f"{stack.api}/process", "POST", b'[{"a": ' + b"9" * 400 + b"}]", token
    )
    assert status == 202

    def finished() -> dict[str, Any] | None:
        _, task, _ = call(f"{stack.api}/tasks/{accepted['task_id']}", token=token)
        return task if task["status"] not in ("queued", "running", "retrying") else None

    task = wait_for("the summary task", finished)
    assert (task["status"], task["attempts"]) == ("failed", 1)
    assert task["reason"]["code"] == "invalid_data"
    dead = stack.cloud.deployment.aws.client("sqs").get_queue_attributes(
        QueueUrl=str(stack.cloud.deployment.outputs["DeadLetterQueueUrl"]),
        AttributeNames=["ApproximateNumberOfMessages"],
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert dead == "0"
