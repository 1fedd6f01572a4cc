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


def test_public_routes_need_no_token() -> None:
    found = {key for key, operation in operations().items() if "security" not in operation}
    # FastAPI serves /docs and /openapi.json itself, outside the document
    assert found == {("get", "/health")}
