"""The OpenAPI document says what each route may answer besides success, and how to call it."""

from __future__ import annotations

from typing import Any

import pytest

from api.main import app

PUBLIC = {("get", "/health"), ("get", "/docs"), ("get", "/openapi.json")}
#: Routes that queue work: SQS may refuse it (503), and those that email count a quota.
ENQUEUE = {
    ("post", "/send-notification/{email}"),
    ("post", "/items"),
    ("post", "/register"),
    ("post", "/process"),
}


#: Routes that count a daily quota: of emails, datasets, items or bytes uploaded.
DAILY_QUOTA = ENQUEUE | {("post", "/upload"), ("post", "/uploads")}
WRITES = {"post", "put", "patch", "delete"}


def operations() -> dict[tuple[str, str], dict[str, Any]]:
    document = app.openapi()
    return {
        (method, path): operation
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    }


@pytest.mark.parametrize("key", sorted(operations()), ids=lambda key: " ".join(key))
def test_each_route_documents_its_errors(key: tuple[str, str]) -> None:
    operation = operations()[key]
    documented = set(operation["responses"])
    # API Gateway throttles every route, public or not
    assert "429" in documented
    if key not in PUBLIC:
        assert "401" in documented
        assert operation["security"] == [{"HTTPBearer": []}]
    if "requestBody" in operation:
        assert {"413", "415", "422"} <= documented
    if "{" in key[1]:
        assert {"404", "422"} <= documented or key[1] == "/send-notification/{email}"
    if key in ENQUEUE:
        assert "503" in documented


@pytest.mark.parametrize("key", sorted(operations()), ids=lambda key: " ".join(key))
def test_each_route_says_which_limits_answer_429(key: tuple[str, str]) -> None:
    too_many = operations()[key]["responses"]["429"]
    description = too_many["description"]

    assert "API Gateway" in description
    # Every write counts against the caller's own rate; some against a daily quota too
    assert ("caller's own rate of writes" in description) == (key[0] in WRITES)
    assert ("daily quota" in description) == (key in DAILY_QUOTA)
    if key[0] in WRITES:
        assert too_many["headers"]["Retry-After"]["schema"] == {"type": "integer", "minimum": 1}


def test_public_routes_need_no_token() -> None:
    found = {key for key, operation in operations().items() if "security" not in operation}
    # FastAPI serves /docs and /openapi.json itself, outside the document
    assert found == {("get", "/health")}
