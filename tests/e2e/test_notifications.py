"""A notification end to end over real HTTP: request -> queue -> worker -> email and log entry."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e.client import call, emails_to, text_of, wait_for_tasks
from tests.e2e.conftest import Target
from tests.polling import wait_for

pytestmark = pytest.mark.e2e


def test_send_notification_emails_and_logs(target: Target) -> None:
    # A fresh caller per run, so a deployed stack's older entries cannot satisfy the test.
    email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
    token = target.token(email)

    status, accepted = call(target, "POST", f"/send-notification/{email}", token=token)

    assert status == 202, accepted
    assert len(accepted["task_ids"]) == 2
    statuses = wait_for_tasks(target, accepted["task_ids"], token)
    assert {s["status"] for s in statuses} == {"succeeded"}
    [mail] = emails_to(target, email)
    assert (mail["From"], mail["Subject"]) == ("no-reply@example.com", "Notification")
    assert "some notification" in text_of(mail)

    def logged() -> list[dict[str, Any]]:
        _, entries = call(
            target, "GET", "/logs", token=target.token("admin@example.com", admin=True)
        )
        # An entry's id is its write_log task's
        return [entry for entry in entries if entry["id"] in accepted["task_ids"]]

    [entry] = wait_for("the log entry", logged)
    # The log names the recipient masked, never the address
    assert entry["message"] == "notification sent to e***@e***.com"


def test_docs_are_public(target: Target) -> None:
    status, schema = call(target, "GET", "/openapi.json", token="")

    assert status == 200
    assert "/send-notification/{email}" in schema["paths"]
