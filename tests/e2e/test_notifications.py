"""A notification end to end over real HTTP: request -> queue -> worker -> email and log entry."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from typing import Any

import pytest

from infra.outbox import list_outbox
from tests.e2e.conftest import Target

pytestmark = pytest.mark.e2e

DEADLINE_SECONDS = 60


def call(target: Target, method: str, path: str) -> tuple[int, Any]:
    request = urllib.request.Request(f"{target.api_url}{path}", method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our API URL
        return response.status, json.loads(response.read() or b"null")


def wait_for(what: str, check: Any) -> Any:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.25)
    pytest.fail(f"{what} did not happen within {DEADLINE_SECONDS} s")


def test_send_notification_emails_and_logs(target: Target) -> None:
    # A fresh recipient per run, so a deployed stack's older entries cannot satisfy the test.
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"

    status, accepted = call(target, "POST", f"/send-notification/{email}")

    assert status == 202
    assert len(accepted["task_ids"]) == 2

    def logged() -> list[dict[str, Any]]:
        _, entries = call(target, "GET", "/logs")
        return [entry for entry in entries if email in entry["message"]]

    assert wait_for("the log entry", logged)
    if target.outbox is not None:
        outbox = target.outbox

        def emailed() -> list[Any]:
            return [mail for mail in list_outbox(outbox) if mail.to == email]

        (mail,) = wait_for("the email", emailed)
        assert mail.sender == "no-reply@example.com"


def test_docs_are_served(target: Target) -> None:
    status, schema = call(target, "GET", "/openapi.json")

    assert status == 200
    assert "/send-notification/{email}" in schema["paths"]
