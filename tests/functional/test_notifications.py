"""POST /send-notification/{email} end to end through the real handlers, with moto for AWS:
API handler -> messages on SQS -> worker handler -> email in SES, entry in the log table."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any, cast

import pytest

from api.handler import handler as api_handler
from app import clients
from app.background import background
from tests.conftest import make_context
from tests.functional.conftest import (
    ALICE,
    BOB,
    Cloud,
    User,
    captured,
    http_event,
    sent_emails,
)
from tests.refusals import ses_refusing
from worker.handler import handler as worker_handler

RECIPIENT = "you@example.com"
#: A sender SES has not verified: SES refuses to send from it.
UNVERIFIED_SENDER = "unverified@example.com"


def call_api(event: dict[str, Any]) -> tuple[int, Any]:
    response = api_handler(event, make_context())
    body = response["body"]
    return response["statusCode"], json.loads(body) if body else None


def test_notification_is_queued_then_sent_and_logged_by_the_worker(
    cloud: Cloud, admin: User
) -> None:
    # Given a notification request through API Gateway's HTTP API
    status, body = call_api(http_event("POST", "/send-notification/you@example.com"))

    # Then the API answers at once with the ids of two queued tasks
    assert status == 202
    assert body["message"] == "Notification sent in the background"
    assert len(body["task_ids"]) == 2
    messages = cloud.receive(cloud.task_queue_url)
    envelopes = [json.loads(m["Body"]) for m in messages]
    assert sorted(e["task"] for e in envelopes) == ["send_email", "write_log"]
    assert {e["id"] for e in envelopes} == set(body["task_ids"])
    # and the API request's id travels as the correlation id
    assert {e["correlation_id"] for e in envelopes} == {"Jz4q1hUyIAMEb9w="}
    assert sent_emails() == []

    # When the worker gets those messages as Lambda's SQS poller delivers them
    sends = captured(clients.sesv2(), "SendEmail")
    response = worker_handler(cloud.sqs_event(messages), make_context())

    # Then both succeed: the email went through SES, the log entry can be read back
    assert response == {"batchItemFailures": []}
    [email] = sent_emails()
    # from the address the deployer chose (SenderEmail)
    assert email.source == cloud.deployment.stack.parameters["SenderEmail"]
    assert email.destinations["ToAddresses"] == ["you@example.com"]
    assert email.subject == "Notification"
    # through the stack's configuration set (suppression list, bounce and complaint metrics)
    configuration_set = cloud.deployment.registry.ref("EmailConfigurationSet")
    assert [s["ConfigurationSetName"] for s in sends] == [configuration_set]
    status, logs = cloud.call_api("GET", "/logs", as_user=admin)
    assert status == 200
    # naming the recipient masked: what an admin needs to recognise them, not the address
    assert [entry["message"] for entry in logs] == ["notification sent to y***@e***.com"]
    assert logs[0]["correlation_id"] == "Jz4q1hUyIAMEb9w="
    assert cloud.receive(cloud.dead_letter_queue_url) == []


def test_the_notifications_messages_delivered_again_send_and_log_nothing_more(
    cloud: Cloud,
    admin: User,
) -> None:
    # Given a notification the worker has sent and logged
    _, body = call_api(http_event("POST", "/send-notification/you@example.com"))
    messages = cloud.receive(cloud.task_queue_url)
    assert worker_handler(cloud.sqs_event(messages), make_context()) == {"batchItemFailures": []}

    # When SQS delivers the same messages again (at least once: a lost delete, say)
    again = [
        m | {"Attributes": m["Attributes"] | {"ApproximateReceiveCount": "2"}} for m in messages
    ]
    response = worker_handler(cloud.sqs_event(again), make_context())

    # Then both are acknowledged, and nothing is done again: one email, one log entry
    assert response == {"batchItemFailures": []}
    assert [e.destinations["ToAddresses"] for e in sent_emails()] == [["you@example.com"]]
    _, logs = cloud.call_api("GET", "/logs", as_user=admin)
    assert [entry["message"] for entry in logs] == ["notification sent to y***@e***.com"]
    # and each task stays succeeded, run once
    for task_id in body["task_ids"]:
        _, status = cloud.call_api("GET", f"/tasks/{task_id}")
        assert (status["status"], status["attempts"]) == ("succeeded", 1)
    assert cloud.receive(cloud.dead_letter_queue_url) == []


@pytest.mark.parametrize(
    "address",
    [
        "not-an-email",
        "user@localhost",
        "Eve%20%3Ceve@example.com%3E",
        "a@example.com%0D%0ABcc:x@example.com",
    ],
)
def test_invalid_email_is_422_and_queues_nothing(cloud: Cloud, address: str) -> None:
    status, body = call_api(http_event("POST", f"/send-notification/{address}"))

    assert status == 422
    assert body["detail"][0]["loc"] == ["path", "email"]
    assert "input" not in body["detail"][0]
    assert cloud.receive(cloud.task_queue_url) == []


def test_422_does_not_echo_large_input(cloud: Cloud, admin: User) -> None:
    huge = "x" * 100_000

    status, body = cloud.call_api("GET", "/logs", query=f"limit={huge}", as_user=admin)

    assert status == 422
    assert huge not in json.dumps(body)
    assert len(json.dumps(body)) < 1000


def test_retryable_failure_is_listed_in_batch_item_failures(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    call_api(http_event("POST", "/send-notification/you@example.com"))
    messages = cloud.receive(cloud.task_queue_url)

    def unreachable(*args: object, **kwargs: object) -> None:
        raise ConnectionError("DynamoDB endpoint unreachable")

    # The log store fails as a network error would: an ordinary, retryable error.
    monkeypatch.setattr("app.logs.LogStore.write", unreachable)

    response = worker_handler(cloud.sqs_event(messages), make_context())

    log_message = next(m for m in messages if json.loads(m["Body"])["task"] == "write_log")
    assert response == {"batchItemFailures": [{"itemIdentifier": log_message["MessageId"]}]}
    assert len(sent_emails()) == 1
    assert cloud.receive(cloud.dead_letter_queue_url) == []


def test_permanent_failures_reach_the_dlq_with_reason_and_partners_are_unaffected(
    cloud: Cloud,
) -> None:
    # Given a batch mixing a good task with an undecodable body, an unknown task and bad args
    call_api(http_event("POST", "/send-notification/you@example.com"))
    bad_bodies = {
        "not json at all": "EnvelopeError: body is not JSON",
        json.dumps({"v": 1, "task": "format_disk", "args": []}): "UnknownTaskError",
        json.dumps({"v": 1, "task": "send_email", "args": ["nope"]}): "InvalidTaskArguments",
    }
    for body in bad_bodies:
        cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody=body)
    messages = cloud.receive(cloud.task_queue_url)
    assert len(messages) == 5

    # When the worker handles it
    response = worker_handler(cloud.sqs_event(messages), make_context())

    # Then nothing is retried, the good tasks ran, and each bad body is in the DLQ with a reason
    assert response == {"batchItemFailures": []}
    assert len(sent_emails()) == 1
    dead = cloud.receive(cloud.dead_letter_queue_url)
    reasons = {m["Body"]: m["MessageAttributes"]["reason"]["StringValue"] for m in dead}
    codes = {m["MessageAttributes"]["reason_code"]["StringValue"] for m in dead}
    assert set(reasons) == set(bad_bodies)
    for body, reason in bad_bodies.items():
        assert reasons[body].startswith(reason), reasons[body]
    assert codes == {"invalid_envelope", "unknown_task", "invalid_arguments"}
    for message in dead:
        assert message["MessageAttributes"]["source_message_id"]["StringValue"]
        assert message["MessageAttributes"]["failed_at"]["StringValue"]


@pytest.mark.settings(SENDER_EMAIL=UNVERIFIED_SENDER)
def test_ses_rejecting_the_sender_is_permanent(cloud: Cloud) -> None:
    call_api(http_event("POST", "/send-notification/you@example.com"))

    response = worker_handler(cloud.sqs_event(cloud.receive(cloud.task_queue_url)), make_context())

    assert response == {"batchItemFailures": []}
    [dead] = cloud.receive(cloud.dead_letter_queue_url)
    assert dead["MessageAttributes"]["task"]["StringValue"] == "send_email"
    assert "MessageRejected" in dead["MessageAttributes"]["reason"]["StringValue"]
    # The task's owner reads a code, never SES's words (which name the account's identities)
    task_id = dead["MessageAttributes"]["task_id"]["StringValue"]
    _, status = cloud.call_api("GET", f"/tasks/{task_id}")
    assert status["status"] == "failed"
    assert status["reason"] == {
        "code": "email_rejected",
        "message": "The email service refused the message.",
    }


#: What the worker runs: its handler, the library, the application.
WORKER_PACKAGES = ("worker", "offload", "app")


@pytest.fixture
def worker_log(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], str]]:
    """Everything the worker's code logs: the lines its Powertools handler writes (what Lambda
    ships to CloudWatch, stack traces included), and its records that reach the root logger."""
    handler = cast("logging.StreamHandler[Any]", worker_handler.logger.registered_handler)
    lines = io.StringIO()
    shipped = handler.setStream(lines)
    caplog.set_level(logging.INFO)

    def text() -> str:
        formatter = logging.Formatter()
        propagated = [
            formatter.format(record)
            for record in caplog.records
            if record.name.split(".")[0] in WORKER_PACKAGES
        ]
        return lines.getvalue() + "\n".join(propagated)

    try:
        yield text
    finally:
        handler.setStream(shipped)


def attribute_values(message: dict[str, Any]) -> str:
    return " ".join(str(a.get("StringValue")) for a in message["MessageAttributes"].values())


def test_a_sent_email_is_logged_with_its_address_masked(
    cloud: Cloud, worker_log: Callable[[], str]
) -> None:
    call_api(http_event("POST", f"/send-notification/{RECIPIENT}"))

    worker_handler(cloud.sqs_event(cloud.receive(cloud.task_queue_url)), make_context())

    assert len(sent_emails()) == 1
    assert "email sent to y***@e***.com (SES message " in worker_log()
    assert RECIPIENT not in worker_log()


# Given a sender SES has not verified: SES's refusal names it
@pytest.mark.settings(SENDER_EMAIL=UNVERIFIED_SENDER)
def test_an_email_ses_refuses_is_dead_lettered_and_logged_by_its_code_alone(
    cloud: Cloud, worker_log: Callable[[], str]
) -> None:
    call_api(http_event("POST", f"/send-notification/{RECIPIENT}"))

    # When the worker tries to send
    response = worker_handler(cloud.sqs_event(cloud.receive(cloud.task_queue_url)), make_context())

    # Then the task is dead-lettered, with SES's code and operation and no address
    assert response == {"batchItemFailures": []}
    [dead] = cloud.receive(cloud.dead_letter_queue_url)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert reason == "PermanentTaskError: SES SendEmail refused the email: MessageRejected"
    assert "@" not in attribute_values(dead)
    # and the log says the same, with its stack trace, and names nobody
    log = worker_log()
    assert "SES SendEmail refused the email: MessageRejected" in log
    assert "stack_trace" in log
    assert UNVERIFIED_SENDER not in log
    assert RECIPIENT not in log


def test_an_email_ses_turns_away_for_now_is_retried_then_dead_lettered_by_its_code_alone(
    cloud: Cloud, worker_log: Callable[[], str]
) -> None:
    # Given SES answering with an error worth retrying, whose message names the recipient
    call_api(http_event("POST", f"/send-notification/{RECIPIENT}"))
    messages = cloud.receive(cloud.task_queue_url)
    email = next(m for m in messages if json.loads(m["Body"])["task"] == "send_email")
    refusal = f"Maximum sending rate exceeded for {RECIPIENT}"

    # When the worker tries, and tries again on the last delivery SQS would make
    with ses_refusing(clients.sesv2(), "Throttling", refusal):
        first = worker_handler(cloud.sqs_event([email]), make_context())
        last_count = str(background.config.max_attempts)
        last = email | {"Attributes": email["Attributes"] | {"ApproximateReceiveCount": last_count}}
        after_last = worker_handler(cloud.sqs_event([last]), make_context())

    # Then it was retried, then dead-lettered with SES's code and no address
    assert first == {"batchItemFailures": [{"itemIdentifier": email["MessageId"]}]}
    assert after_last == {"batchItemFailures": []}
    assert sent_emails() == []
    [dead] = cloud.receive(cloud.dead_letter_queue_url)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert reason.endswith("EmailServiceError: SES SendEmail refused the email: Throttling")
    assert "@" not in attribute_values(dead)
    # and neither delivery's log names the recipient
    log = worker_log()
    assert log.count("SES SendEmail refused the email: Throttling") >= 2
    assert RECIPIENT not in log


def test_nobody_is_emailed_who_did_not_ask(cloud: Cloud, admin: User) -> None:
    # Another user's address: refused, and nothing is queued
    status, body = cloud.call_api("POST", "/send-notification/bob@example.com")
    assert (status, body) == (403, {"detail": "Notifications go to your own verified address only"})
    # Nor an unverified address of one's own
    unverified = User(
        sub="0d0d0d0d-0000-4000-8000-000000000001", email="new@example.com", verified=False
    )
    assert (
        cloud.call_api("POST", "/send-notification/new@example.com", as_user=unverified)[0] == 403
    )
    assert cloud.receive(cloud.task_queue_url) == []
    # One's own address (in any case) and, for an admin, anyone's
    assert cloud.call_api("POST", "/send-notification/YOU@example.com")[0] == 202
    assert cloud.call_api("POST", "/send-notification/bob@example.com", as_user=admin)[0] == 202
    assert cloud.call_api("POST", f"/send-notification/{BOB.email}", as_user=BOB)[0] == 202


def test_a_request_without_the_authorizers_claims_is_401(cloud: Cloud) -> None:
    status, body = cloud.call_api("POST", "/send-notification/you@example.com", as_user=None)

    assert (status, body) == (401, {"detail": "Unauthorized"})
    assert cloud.receive(cloud.task_queue_url) == []


@pytest.mark.settings(EMAILS_PER_RECIPIENT_PER_DAY="2")
def test_each_recipient_has_a_daily_quota(cloud: Cloud, admin: User) -> None:
    for _ in range(2):
        assert cloud.call_api("POST", "/send-notification/you@example.com")[0] == 202
    queued = len(cloud.receive(cloud.task_queue_url))

    # Past the quota, even for an admin writing to that address: 429 and nothing queued
    response = cloud.api_response("POST", "/send-notification/you@example.com", as_user=admin)

    assert response["statusCode"] == 429
    assert json.loads(response["body"]) == {"detail": "Daily limit of 2 emails reached."}
    assert 0 < int(response["headers"]["retry-after"]) <= 86_400
    assert queued == 4
    assert cloud.receive(cloud.task_queue_url) == []
    # Another recipient's quota is its own
    assert cloud.call_api("POST", "/send-notification/bob@example.com", as_user=BOB)[0] == 202


@pytest.mark.settings(EMAILS_PER_RECIPIENT_PER_DAY="1")
def test_an_address_has_one_quota_whatever_its_case(cloud: Cloud) -> None:
    assert cloud.call_api("POST", "/send-notification/you@example.com")[0] == 202

    # The same mailbox, spelt otherwise: its day's email is sent already
    status, body = cloud.call_api("POST", "/send-notification/YOU@Example.com")

    assert (status, body) == (429, {"detail": "Daily limit of 1 emails reached."})


@pytest.mark.settings(EMAILS_PER_RECIPIENT_PER_DAY="1")
def test_a_refused_request_gives_its_quota_back(cloud: Cloud) -> None:
    with cloud.sqs_refusing():
        assert cloud.call_api("POST", "/send-notification/you@example.com")[0] == 503

    assert cloud.call_api("POST", "/send-notification/you@example.com")[0] == 202


@pytest.mark.parametrize(
    "header",
    [
        'abc\n{"level":"ERROR","message":"forged"}',
        "abc def",
        'x" injected="1',
        "x" * 200,
    ],
)
def test_a_correlation_id_header_cannot_inject_into_logs(cloud: Cloud, header: str) -> None:
    cloud.call_api("POST", "/send-notification/you@example.com", x_correlation_id=header)

    envelopes = [json.loads(m["Body"]) for m in cloud.receive(cloud.task_queue_url)]
    # Not taken: the request's own id stands in
    assert {e["correlation_id"] for e in envelopes} == {"Jz4q1hUyIAMEb9w="}


def test_a_correlation_id_in_a_safe_format_is_kept(cloud: Cloud) -> None:
    cloud.call_api("POST", "/send-notification/you@example.com", x_correlation_id="req-42.a:b_c")

    envelopes = [json.loads(m["Body"]) for m in cloud.receive(cloud.task_queue_url)]
    assert {e["correlation_id"] for e in envelopes} == {"req-42.a:b_c"}


def test_logs_are_for_admins_only(cloud: Cloud, admin: User) -> None:
    assert cloud.call_api("GET", "/logs", as_user=ALICE) == (
        403,
        {"detail": "Administrators only"},
    )
    assert cloud.call_api("GET", "/logs", as_user=admin) == (200, [])
