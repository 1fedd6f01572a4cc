"""Each user's rate of writes, through the API handler: every route that writes (listed from the
FastAPI app) counts the caller's writes; past the caller's burst it answers 429 with
Retry-After, before it reads, creates, queues or charges anything; another user is unaffected."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from api.main import app
from app.quotas import write_rate
from app.wiring import wiring
from offload.testing import Clock
from tests.functional.conftest import ALICE, BOB, Cloud, User
from tests.multipart import multipart

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
TASK_ID = "0" * 32


def write_routes() -> list[str]:
    """`METHOD /path` of every route of the app's OpenAPI document that writes (the app serves
    nothing else but its docs)."""
    return sorted(
        f"{method.upper()} {path}"
        for path, operations in app.openapi()["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    )


def upload() -> tuple[bytes, dict[str, str]]:
    body, content_type = multipart(("file", "a.txt", "text/plain", b"hello"))
    return body, {"content_type": content_type}


#: A request each route would accept from `user`, and what it answers them.
REQUESTS: dict[str, Any] = {
    "POST /send-notification/{email}": lambda user: (
        ("POST", f"/send-notification/{user.email}", None, {}),
        202,
    ),
    "POST /process": lambda user: (("POST", "/process", [{"a": 1}], {}), 202),
    "POST /items": lambda user: (("POST", "/items", {"name": "teapot"}, {}), 201),
    "POST /register": lambda user: (("POST", "/register", {"name": "Ada"}, {}), 201),
    "POST /upload": lambda user: (("POST", "/upload", *upload()), 202),
    "POST /uploads": lambda user: (
        ("POST", "/uploads", {"filename": "a.png", "content_type": "image/png", "size": 10}, {}),
        201,
    ),
    # Nobody's task: the route answers 404 once the caller's write is counted
    "DELETE /tasks/{task_id}": lambda user: (("DELETE", f"/tasks/{TASK_ID}", None, {}), 404),
}


def request(cloud: Cloud, route: str, user: User) -> tuple[dict[str, Any], int]:
    (method, path, body, headers), expected = REQUESTS[route](user)
    return cloud.api_response(method, path, body, as_user=user, **headers), expected


@pytest.fixture
def clock(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The API's write rate at 1 a second with bursts of 3 (a window of 3 s), on a clock held
    0.5 s into a window: a test that fills the burst stays in that window."""
    clock = Clock(datetime(2026, 12, 8, 10, 0, 0, 500_000, tzinfo=UTC))
    parts = wiring()
    monkeypatch.setattr(parts, "write_rate", write_rate(parts.table, 1, 3, clock.now))
    return clock


def test_every_write_route_is_listed_here() -> None:
    # A new route that writes needs its request above, so that the tests below cover it
    assert write_routes() == sorted(REQUESTS)


@pytest.mark.parametrize("route", write_routes())
def test_past_the_callers_burst_a_write_is_429_and_does_nothing(
    cloud: Cloud, clock: Clock, route: str
) -> None:
    rate = wiring().write_rate
    for _ in range(3):
        rate.charge(ALICE.sub)

    response, _ = request(cloud, route, ALICE)

    assert response["statusCode"] == 429, response
    assert json.loads(response["body"]) == {"detail": "Limit of 3 writes per 3 s reached."}
    # The window ends 2.5 s from now
    assert response["headers"]["retry-after"] == "3"
    # Nothing read, created, stored, queued; no other quota charged; the refusal not counted
    assert [row["pk"]["S"] for row in cloud.rows()] == [f"QUOTA#WRITES#{ALICE.sub}"]
    assert rate.used(ALICE.sub) == 3
    assert cloud.s3.list_objects_v2(Bucket=cloud.upload_bucket).get("KeyCount") == 0
    assert cloud.receive(cloud.task_queue_url) == []
    assert cloud.receive(cloud.heavy_queue_url) == []

    # Another user, at the same moment, is answered as ever
    response, expected = request(cloud, route, BOB)
    assert response["statusCode"] == expected, response


@pytest.mark.parametrize("route", write_routes())
def test_each_write_counts_once_against_its_callers_rate(
    cloud: Cloud, clock: Clock, route: str
) -> None:
    response, expected = request(cloud, route, ALICE)

    assert response["statusCode"] == expected, response
    assert wiring().write_rate.used(ALICE.sub) == 1
    assert wiring().write_rate.used(BOB.sub) == 0


def test_reads_do_not_count(cloud: Cloud, clock: Clock) -> None:
    for path in ["/health", f"/tasks/{TASK_ID}", "/search?q=x", f"/process/{TASK_ID}"]:
        path, _, query = path.partition("?")
        cloud.call_api("GET", path, query=query)

    assert wiring().write_rate.used(ALICE.sub) == 0


def test_the_caller_writes_again_once_the_window_moves_on(cloud: Cloud, clock: Clock) -> None:
    statuses = [cloud.call_api("POST", "/process", [{"a": 1}])[0] for _ in range(4)]
    clock.advance(2.5)

    assert statuses == [202, 202, 202, 429]
    assert cloud.call_api("POST", "/process", [{"a": 1}])[0] == 202
