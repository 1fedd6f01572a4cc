"""A notification end to end over real HTTP: request -> queue -> worker -> email and log entry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from infra.outbox import list_outbox
from tests.e2e.client import call, wait_for_tasks
from tests.e2e.conftest import Target
from tests.polling import wait_for

pytestmark = pytest.mark.e2e


def test_send_notification_emails_and_logs(target: Target) -> None:
    # A fresh recipient per run, so a deployed stack's older entries cannot satisfy the test.
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"

    status, accepted = call(target, "POST", f"/send-notification/{email}")

    assert status == 202
    assert len(accepted["task_ids"]) == 2
    statuses = wait_for_tasks(target, accepted["task_ids"])
    assert {s["status"] for s in statuses} == {"succeeded"}

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
