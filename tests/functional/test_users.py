"""Registration: the caller's own profile, then a welcome email from a template to their
verified address."""

from __future__ import annotations

from tests.functional.conftest import ALICE, BOB, Cloud, User, sent_emails


def test_register_then_welcome_email_from_the_template(cloud: Cloud) -> None:
    status, body = cloud.call_api("POST", "/register", {"name": "Ada <b>Lovelace</b>"})

    assert status == 201
    assert body["user"]["email"] == ALICE.email  # from the token, never from the body
    assert body["user"]["name"] == "Ada <b>Lovelace</b>"
    cloud.run_worker()
    [email] = sent_emails()
    assert email.destinations["ToAddresses"] == [ALICE.email]
    # No user text in the subject; in the HTML body it is escaped
    assert email.subject == "Welcome aboard"
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in email.body


def test_second_registration_is_409_about_oneself_and_sends_nothing(cloud: Cloud) -> None:
    assert cloud.call_api("POST", "/register", {"name": "Grace"})[0] == 201
    cloud.run_worker()

    status, body = cloud.call_api("POST", "/register", {"name": "Someone else"})

    assert status == 409
    assert body == {"detail": "You are already registered"}
    assert cloud.receive(cloud.task_queue_url) == []
    # Another user registering is unaffected: nothing reveals who else is registered
    assert cloud.call_api("POST", "/register", {"name": "Bob"}, as_user=BOB)[0] == 201
    cloud.run_worker()
    assert sorted(e.destinations["ToAddresses"][0] for e in sent_emails()) == [
        BOB.email,
        ALICE.email,
    ]


def test_the_body_cannot_choose_the_address(cloud: Cloud) -> None:
    status, body = cloud.call_api("POST", "/register", {"email": "eve@example.com", "name": "E"})

    assert status == 422
    assert body["detail"][0]["loc"] == ["body", "email"]
    assert cloud.receive(cloud.task_queue_url) == []


def test_an_unverified_address_cannot_register(cloud: Cloud) -> None:
    unverified = User(
        sub="1a1a1a1a-0000-4000-8000-000000000001", email="x@example.com", verified=False
    )

    status, _ = cloud.call_api("POST", "/register", {"name": "X"}, as_user=unverified)

    assert status == 403
    assert cloud.receive(cloud.task_queue_url) == []


def test_header_injection_through_the_name_is_defused(cloud: Cloud) -> None:
    status, _ = cloud.call_api("POST", "/register", {"name": "Eve\r\nBcc: all@example.com"})
    assert status == 201

    cloud.run_worker()

    [email] = sent_emails()
    assert email.subject == "Welcome aboard"
    assert email.destinations["ToAddresses"] == [ALICE.email]


def test_a_registration_answered_503_can_simply_be_retried(cloud: Cloud) -> None:
    # Given SQS refusing while the caller registers: the account is taken back
    with cloud.sqs_refusing():
        assert cloud.call_api("POST", "/register", {"name": "Late"})[0] == 503

    # When the client retries, as the 503 told it to
    status, _ = cloud.call_api("POST", "/register", {"name": "Late"})

    # Then the registration goes through, not 409, and the welcome email is sent once
    assert status == 201
    cloud.run_worker()
    assert [e.destinations["ToAddresses"] for e in sent_emails()] == [[ALICE.email]]
