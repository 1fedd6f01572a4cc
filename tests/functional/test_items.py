"""Items: created at once for the caller through a database dependency; indexed and announced
to the caller by the worker; each caller reads and searches their own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.wiring import wiring
from tests.background import offload_clients
from tests.functional.conftest import ALICE, BOB, Cloud, User, sent_emails

ITEM = {
    "name": "Blue ceramic teapot",
    "description": "Hand-made stoneware teapot, holds one litre",
}


def count_batches() -> list[int]:
    """Entries per SendMessageBatch made through offload's (cached) SQS client."""
    calls: list[int] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(len(params["Entries"]))

    offload_clients().sqs.meta.events.register("provide-client-params.sqs.SendMessageBatch", record)
    return calls


def test_item_is_stored_at_once_and_all_its_tasks_leave_in_one_batch(cloud: Cloud) -> None:
    batches = count_batches()

    status, body = cloud.call_api("POST", "/items", ITEM)

    assert status == 201, body
    item = body["item"]
    assert item["name"] == ITEM["name"]
    # The audit dependency's task and the endpoint's two tasks went out in a single call
    assert batches == [3]
    tasks = sorted(json.loads(m["Body"])["task"] for m in cloud.receive(cloud.task_queue_url))
    assert tasks == ["send_item_created_email", "update_search_index", "write_log"]
    assert len(body["task_ids"]) == 3
    # The item is readable before the worker ran
    assert cloud.call_api("GET", f"/items/{item['id']}") == (200, item)


def test_worker_indexes_the_item_and_emails_its_creator(cloud: Cloud, admin: User) -> None:
    _, body = cloud.call_api("POST", "/items", ITEM)
    item_id = body["item"]["id"]
    assert cloud.call_api("GET", "/search", query="q=teapot")[1]["items"] == []

    cloud.run_worker()

    for query in ["teapot", "TEAPOT", "stoneware", "blue+teapot", "ceramic%20litre"]:
        status, found = cloud.call_api("GET", "/search", query=f"q={query}")
        assert status == 200
        assert [i["id"] for i in found["items"]] == [item_id], query
    assert cloud.call_api("GET", "/search", query="q=teapot+spoon")[1]["items"] == []
    [email] = sent_emails()
    assert email.destinations["ToAddresses"] == [ALICE.email]
    # The item's name is in the body, escaped, never in the subject
    assert email.subject == "Your item is listed"
    assert "Blue ceramic teapot" in email.body
    _, logs = cloud.call_api("GET", "/logs", as_user=admin)
    assert [entry["message"] for entry in logs] == ["POST /items"]


def test_the_body_cannot_choose_who_is_emailed(cloud: Cloud) -> None:
    status, body = cloud.call_api("POST", "/items", ITEM | {"owner_email": "eve@example.com"})

    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "owner_email"]
    assert cloud.receive(cloud.task_queue_url) == []


def test_a_caller_without_a_verified_address_gets_no_email(cloud: Cloud) -> None:
    unverified = User(
        sub="5e5e5e5e-0000-4000-8000-000000000001", email="new@example.com", verified=False
    )

    status, body = cloud.call_api("POST", "/items", ITEM, as_user=unverified)
    cloud.run_worker()

    assert status == 201
    assert len(body["task_ids"]) == 2  # the index and the audit log, no email
    assert sent_emails() == []


def test_each_caller_reads_and_searches_only_their_own_items(cloud: Cloud, admin: User) -> None:
    _, alice = cloud.call_api("POST", "/items", ITEM | {"name": "alice teapot"})
    _, bob = cloud.call_api("POST", "/items", ITEM | {"name": "bob teapot"}, as_user=BOB)
    cloud.run_worker()

    def search(user: User) -> set[str]:
        _, found = cloud.call_api("GET", "/search", query="q=teapot", as_user=user)
        assert all("owner" not in item and "email" not in str(item) for item in found["items"])
        return {item["name"] for item in found["items"]}

    assert search(ALICE) == {"alice teapot"}
    assert search(BOB) == {"bob teapot"}
    assert search(admin) == {"alice teapot", "bob teapot"}
    # Another user's item is answered as if it did not exist
    assert cloud.call_api("GET", f"/items/{alice['item']['id']}", as_user=BOB)[0] == 404
    assert cloud.call_api("GET", f"/items/{bob['item']['id']}", as_user=BOB)[0] == 200
    assert cloud.call_api("GET", f"/items/{bob['item']['id']}", as_user=admin)[0] == 200


#: Any OpenID Connect issuer's `sub` may hold a `#`, the character that ends the owner in the
#: search index's keys: this one's key range would start Alice's ("OWNER#<sub>#ITEM#...").
ALICES_PREFIX = User(sub=f"{ALICE.sub}#ITEM", email="mallory@example.com")


def test_an_owner_whose_sub_has_a_hash_searches_only_their_own_items(
    cloud: Cloud, admin: User
) -> None:
    # Given Alice's item, and an item of a caller whose sub is Alice's followed by "#ITEM"
    cloud.call_api("POST", "/items", ITEM | {"name": "alice teapot"})
    cloud.call_api("POST", "/items", ITEM | {"name": "mallory teapot"}, as_user=ALICES_PREFIX)
    cloud.run_worker()

    def search(user: User) -> set[str]:
        _, found = cloud.call_api("GET", "/search", query="q=teapot", as_user=user)
        return {item["name"] for item in found["items"]}

    # Then each finds their own, and only their own
    assert search(ALICES_PREFIX) == {"mallory teapot"}
    assert search(ALICE) == {"alice teapot"}
    assert search(admin) == {"alice teapot", "mallory teapot"}


def test_search_returns_no_item_whose_record_names_another_owner(cloud: Cloud) -> None:
    # Given Alice's item, and an index entry that files it under Bob (however it got there)
    _, created = cloud.call_api("POST", "/items", ITEM | {"name": "alice teapot"})
    cloud.run_worker()
    wiring().search.index(created["item"]["id"], BOB.sub, "teapot")

    # When Bob searches for it
    status, found = cloud.call_api("GET", "/search", query="q=teapot", as_user=BOB)

    # Then the item's own record decides: it is not his
    assert (status, found["items"]) == (200, [])
    assert [i["name"] for i in cloud.call_api("GET", "/search", query="q=teapot")[1]["items"]] == [
        "alice teapot"
    ]


def test_search_ands_words_across_items(cloud: Cloud) -> None:
    ids = {}
    for name in ["red teapot", "red cup", "green cup"]:
        ids[name] = cloud.call_api("POST", "/items", ITEM | {"name": name, "description": ""})[1][
            "item"
        ]["id"]
    cloud.run_worker()

    def search(q: str) -> set[str]:
        return {i["name"] for i in cloud.call_api("GET", "/search", query=f"q={q}")[1]["items"]}

    assert search("red") == {"red teapot", "red cup"}
    assert search("cup") == {"red cup", "green cup"}
    assert search("red+cup") == {"red cup"}
    assert search("the") == set()


def test_unknown_item_is_404(cloud: Cloud) -> None:
    assert cloud.call_api("GET", f"/items/{'0' * 32}")[0] == 404
    assert cloud.call_api("GET", "/items/not-an-id")[0] == 422


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": 5}, "description"),
    ],
)
def test_invalid_items_are_422_without_echo_and_queue_nothing(
    cloud: Cloud, change: dict[str, Any], field: str
) -> None:
    status, body = cloud.call_api("POST", "/items", ITEM | change)

    assert status == 422
    assert body["detail"][0]["loc"] == ["body", field]
    assert "input" not in body["detail"][0]
    assert cloud.receive(cloud.task_queue_url) == []


def test_wrong_content_type_is_415_and_too_large_is_413(cloud: Cloud) -> None:
    assert cloud.call_api("POST", "/items", "name=x", content_type="text/plain")[0] == 415
    big = ITEM | {"description": "x" * 20_000}
    assert cloud.call_api("POST", "/items", big)[0] == 413
    assert cloud.call_api("POST", "/items", "{not json")[0] == 422
    assert cloud.receive(cloud.task_queue_url) == []


def test_an_item_whose_tasks_were_refused_is_taken_back(cloud: Cloud) -> None:
    # Given SQS refusing: the client will be told to retry
    with cloud.sqs_refusing():
        status, _ = cloud.call_api("POST", "/items", ITEM)

    # Then nothing is left behind that the retry would duplicate
    assert status == 503
    assert cloud.rows("ITEM#") == []


#: Without a verified address: no email, so no email quota; the item quota counts all the same.
UNVERIFIED = User(
    sub="3c5e7a9b-1d2f-4a6c-8e0b-2d4f6a8c0e1a", email="new@example.com", verified=False
)


@pytest.mark.parametrize("user", [ALICE, UNVERIFIED], ids=["verified", "unverified"])
@pytest.mark.settings(ITEMS_PER_USER_PER_DAY="2")
def test_each_user_has_a_daily_quota_of_items(cloud: Cloud, user: User) -> None:
    for _ in range(2):
        assert cloud.call_api("POST", "/items", ITEM, as_user=user)[0] == 201
    queued = cloud.receive(cloud.task_queue_url)

    response = cloud.api_response("POST", "/items", ITEM, as_user=user)

    assert response["statusCode"] == 429
    assert json.loads(response["body"]) == {"detail": "Daily limit of 2 items reached."}
    assert 0 < int(response["headers"]["retry-after"]) <= 86_400
    assert len(cloud.rows("ITEM#")) == 2
    assert len(queued) == (6 if user.verified else 4)
    assert cloud.receive(cloud.task_queue_url) == []
    assert wiring().item_quota.used(user.sub) == 2
    assert cloud.call_api("POST", "/items", ITEM, as_user=BOB)[0] == 201


@pytest.mark.settings(EMAILS_PER_RECIPIENT_PER_DAY="1")
def test_an_item_the_email_quota_refuses_costs_no_item(cloud: Cloud) -> None:
    assert cloud.call_api("POST", "/items", ITEM)[0] == 201

    status, body = cloud.call_api("POST", "/items", ITEM)

    assert (status, body) == (429, {"detail": "Daily limit of 1 emails reached."})
    assert wiring().item_quota.used(ALICE.sub) == 1
    assert len(cloud.rows("ITEM#")) == 1


def test_an_item_that_could_not_be_queued_gives_its_quotas_back(cloud: Cloud) -> None:
    with cloud.sqs_refusing():
        assert cloud.call_api("POST", "/items", ITEM)[0] == 503

    assert wiring().item_quota.used(ALICE.sub) == 0
    assert wiring().email_quota.used(ALICE.email) == 0
