"""Nothing lost, nothing twice: status, idempotency by task id, backoff, giving up, time guard."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app.background import background
from app.email import Mailer
from app.wiring import worker_readers
from tests.background import offload_clients
from tests.conftest import make_context
from tests.functional.conftest import Cloud, sent_emails
from worker.handler import handler as worker_handler

NOTIFY = "/send-notification/you@example.com"


def task_status(cloud: Cloud, task_id: str) -> dict[str, Any]:
    status, body = cloud.call_api("GET", f"/tasks/{task_id}")
    assert status == 200, body
    result: dict[str, Any] = body
    return result


def email_message(cloud: Cloud) -> dict[str, Any]:
    messages = cloud.receive(cloud.task_queue_url)
    return next(m for m in messages if json.loads(m["Body"])["task"] == "send_email")


def with_receive_count(message: dict[str, Any], count: int) -> dict[str, Any]:
    return message | {"Attributes": message["Attributes"] | {"ApproximateReceiveCount": str(count)}}


def test_every_returned_id_has_a_status_from_queued_to_succeeded(cloud: Cloud) -> None:
    _, body = cloud.call_api("POST", NOTIFY)

    for task_id in body["task_ids"]:
        queued = task_status(cloud, task_id)
        assert queued["status"] == "queued"
        assert queued["attempts"] == 0
        assert queued["enqueued_at"]
    cloud.run_worker()

    for task_id in body["task_ids"]:
        done = task_status(cloud, task_id)
        assert (done["status"], done["attempts"]) == ("succeeded", 1)
    assert cloud.call_api("GET", f"/tasks/{'f' * 32}")[0] == 404


def test_a_retryable_failure_backs_off_and_records_why(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.call_api("POST", NOTIFY)
    message = email_message(cloud)
    task_id = json.loads(message["Body"])["id"]
    delays: list[int] = []
    offload_clients().sqs.meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility",
        lambda params, **_: delays.append(params["VisibilityTimeout"]),
    )

    def throttled(*args: object, **kwargs: object) -> None:
        raise ConnectionError("SES throttled")

    real_send = Mailer.send
    monkeypatch.setattr(Mailer, "send", throttled)
    response = worker_handler(cloud.sqs_event([message]), make_context())

    assert response == {"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}
    assert len(delays) == 1
    assert 1 <= delays[0] <= 2  # first retry: full jitter below base 2 s
    status = task_status(cloud, task_id)
    assert status["status"] == "retrying"
    # The owner reads a code; the exception's text stays in the logs
    assert status["reason"] == {
        "code": "temporary_error",
        "message": "The task failed and will be retried.",
    }

    # When it works on the next delivery, the task succeeds and counts both attempts
    monkeypatch.setattr(Mailer, "send", real_send)
    worker_handler(cloud.sqs_event([with_receive_count(message, 2)]), make_context())
    status = task_status(cloud, task_id)
    assert (status["status"], status["attempts"]) == ("succeeded", 2)
    assert len(sent_emails()) == 1


def test_the_last_attempt_dead_letters_with_the_reason(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.call_api("POST", NOTIFY)
    message = with_receive_count(email_message(cloud), 5)
    task_id = json.loads(message["Body"])["id"]

    def broken(*args: object, **kwargs: object) -> None:
        raise TimeoutError("SES did not answer")

    monkeypatch.setattr(Mailer, "send", broken)
    response = worker_handler(cloud.sqs_event([message]), make_context())

    assert response == {"batchItemFailures": []}
    [dead] = cloud.receive(cloud.dead_letter_queue_url)
    reason = dead["MessageAttributes"]["reason"]["StringValue"]
    assert (
        reason
        == "RetriesExhaustedError: gave up after 5 attempts: TimeoutError: SES did not answer"
    )
    assert dead["MessageAttributes"]["task_id"]["StringValue"] == task_id
    status = task_status(cloud, task_id)
    assert status["status"] == "dead_lettered"
    assert status["reason"]["code"] == "retries_exhausted"
    assert dead["MessageAttributes"]["reason_code"]["StringValue"] == "retries_exhausted"


def test_a_duplicate_arriving_while_the_first_runs_is_retried_not_succeeded(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    cloud.call_api("POST", NOTIFY)
    message = email_message(cloud)
    inner: list[Any] = []
    real_send = Mailer.send

    def send_while_a_duplicate_arrives(mailer: Mailer, email: Any) -> str:
        # A second worker (an execution environment of its own) gets the same task meanwhile.
        other = background.consumer(readers=worker_readers())
        inner.append(other.handle(cloud.sqs_event([message]), make_context()))
        result: str = real_send(mailer, email)
        return result

    monkeypatch.setattr(Mailer, "send", send_while_a_duplicate_arrives)
    outer = worker_handler(cloud.sqs_event([message]), make_context())

    assert inner == [{"batchItemFailures": [{"itemIdentifier": message["MessageId"]}]}]
    assert outer == {"batchItemFailures": []}
    assert len(sent_emails()) == 1
    status = task_status(cloud, json.loads(message["Body"])["id"])
    assert status["status"] == "succeeded"


def test_records_are_not_started_when_the_invocation_is_about_to_time_out(cloud: Cloud) -> None:
    cloud.call_api("POST", NOTIFY)
    messages = cloud.receive(cloud.task_queue_url)

    response = worker_handler(cloud.sqs_event(messages), make_context(remaining_millis=1_000))

    assert len(response["batchItemFailures"]) == len(messages)
    assert sent_emails() == []
    # handed back at once rather than after the visibility timeout
    assert len(cloud.receive(cloud.task_queue_url)) == len(messages)


@pytest.mark.parametrize(
    ("refused", "taken"),
    [pytest.param(None, 0, id="every-entry"), pytest.param({"1"}, 1, id="one-entry")],
)
def test_tasks_of_a_refused_request_are_never_queued_nor_run(
    cloud: Cloud, refused: set[str] | None, taken: int
) -> None:
    # Given SQS refusing all of a request's tasks, or only its second (the log entry)
    with cloud.sqs_refusing(refused):
        status, _ = cloud.call_api("POST", NOTIFY)

    # Then the client is told nothing happened: a refused task has no row, and what SQS took
    # anyway (a whole task: the email) is cancelled
    assert status == 503
    on_queue = cloud.receive(cloud.task_queue_url)
    assert [json.loads(m["Body"])["task"] for m in on_queue] == ["send_email"] * taken
    assert [r["status"]["S"] for r in cloud.rows("TASK#")] == ["cancelled"] * taken

    # And when the worker gets what SQS took, it does not run it
    for message in on_queue:
        cloud.sqs.change_message_visibility(
            QueueUrl=cloud.task_queue_url,
            ReceiptHandle=message["ReceiptHandle"],
            VisibilityTimeout=0,
        )
    assert len(cloud.run_worker()) == taken
    assert sent_emails() == []
    assert [r["status"]["S"] for r in cloud.rows("TASK#")] == ["cancelled"] * taken
    assert cloud.receive(cloud.dead_letter_queue_url) == []
