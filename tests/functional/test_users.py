"""Registration: unique email, then a welcome email from a template."""

from __future__ import annotations

from email import message_from_string

import pytest

from tests.functional.conftest import Cloud, reset_caches, sent_emails


def test_register_then_welcome_email_from_the_template(cloud: Cloud) -> None:
    status, body = cloud.call_api(
        "POST", "/register", {"email": "Ada@Example.com", "name": "Ada <b>Lovelace</b>"}
    )

    assert status == 201
    assert body["user"]["email"] == "Ada@example.com"  # the domain is normalised
    cloud.run_worker()
    [email] = sent_emails()
    assert email.destinations["ToAddresses"] == ["Ada@example.com"]
    assert email.subject == "Welcome, Ada <b>Lovelace</b>"


def test_second_registration_is_409_and_sends_nothing(cloud: Cloud) -> None:
    user = {"email": "grace@example.com", "name": "Grace"}
    assert cloud.call_api("POST", "/register", user)[0] == 201
    cloud.run_worker()

    status, body = cloud.call_api("POST", "/register", user | {"name": "Someone else"})

    assert status == 409
    assert body == {"detail": "This email is already registered"}
    assert cloud.receive(cloud.task_queue_url) == []
    cloud.run_worker()
    assert len(sent_emails()) == 1


def test_header_injection_through_the_name_is_defused(cloud: Cloud) -> None:
    status, _ = cloud.call_api(
        "POST", "/register", {"email": "eve@example.com", "name": "Eve\r\nBcc: all@example.com"}
    )
    assert status == 201

    cloud.run_worker()

    [email] = sent_emails()
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert "Bcc" not in str(message_from_string(f"Subject: {email.subject}\n\n").keys())


def test_registration_refuses_display_names_and_dotless_domains(cloud: Cloud) -> None:
    for address in ["Eve <eve@example.com>", "eve@localhost", "eve@example.com\n"]:
        status, body = cloud.call_api("POST", "/register", {"email": address, "name": "Eve"})
        assert status == 422, address
        assert body["detail"][0]["loc"] == ["body", "email"]


def test_a_registration_answered_503_can_simply_be_retried(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = {"email": "late@example.com", "name": "Late"}
    monkeypatch.setenv("TASK_QUEUE_URL", cloud.task_queue_url + "-missing")
    reset_caches()
    assert cloud.call_api("POST", "/register", user)[0] == 503

    monkeypatch.setenv("TASK_QUEUE_URL", cloud.task_queue_url)
    reset_caches()
    status, _ = cloud.call_api("POST", "/register", user)

    assert status == 201
    cloud.run_worker()
    assert [e.destinations["ToAddresses"] for e in sent_emails()] == [["late@example.com"]]
