"""`sam local invoke` of every sample event in events/, in the SAM CLI's containers, against the
local cloud: the worker's documented outcomes (success, permanent failure with a reason in the
dead-letter queue, S3's test event acknowledged), and the API's answers to its two events (the
log to an admin of the local pool only)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from offload.dynamodb import Table
from offload.rows import DynamoDBTaskRows
from offload_local.email.outbox import list_outbox
from offload_local.gateway.claims import render_claims
from tests.conftest import EVENTS
from tests.polling import wait_for
from tests.sam_local.harness import RunningCloud, sam_invoke

pytestmark = pytest.mark.sam_local


@dataclass(frozen=True)
class Outcome:
    """What one worker event leaves in the local cloud."""

    #: Task ids whose row says `succeeded`.
    succeeded: tuple[str, ...] = ()
    #: The reason_code of each message the worker dead-lettered, sorted.
    dead_letter_reasons: tuple[str, ...] = ()
    #: Who was emailed.
    emailed: tuple[str, ...] = ()


#: README "What the worker does with each message", one sample event at a time.
WORKER_EVENTS = {
    "worker_send_email.json": Outcome(
        succeeded=("597e85d11b1e477a94812f799594bba8",), emailed=("you@example.com",)
    ),
    "worker_mixed_batch.json": Outcome(
        succeeded=("a50d0e3fb77c4d919b2e47f208c22369",),
        dead_letter_reasons=("invalid_envelope", "unknown_task"),
        emailed=("you@example.com",),
    ),
    "worker_s3_test_event.json": Outcome(),
    # Not the stack's bucket, no file the API accepted: an operator's matter.
    "worker_s3_object_created.json": Outcome(dead_letter_reasons=("permanent_error",)),
}


def sqs_events() -> set[str]:
    names = set()
    for path in EVENTS.glob("*.json"):
        records = json.loads(path.read_text()).get("Records", [])
        if records and all(r.get("eventSource") == "aws:sqs" for r in records):
            names.add(path.name)
    return names


def test_every_worker_event_has_its_outcome_here() -> None:
    assert set(WORKER_EVENTS) == sqs_events()


def dead_letters(cloud: RunningCloud) -> list[dict[str, Any]]:
    sqs = cloud.cloud.deployment.aws.client("sqs")
    url = cloud.cloud.deployment.queues()["DeadLetterQueue"]
    found: list[dict[str, Any]] = []
    while batch := sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    ).get("Messages", []):
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        found += batch
    return found


def emails_sent(cloud: RunningCloud) -> int:
    quota = cloud.cloud.deployment.aws.client("ses").get_send_quota()
    return int(quota["SentLast24Hours"])


def task_status(cloud: RunningCloud, task_id: str) -> str | None:
    deployment = cloud.cloud.deployment
    table = next(iter(deployment.registry.of_type("AWS::DynamoDB::Table").values())).ref
    rows = DynamoDBTaskRows(
        Table(str(table), lambda: deployment.aws.client("dynamodb")), retention=timedelta(days=1)
    )
    row = rows.get(task_id)
    return row.status if row is not None else None


@pytest.mark.parametrize("name", sorted(WORKER_EVENTS))
def test_a_worker_event_has_its_documented_outcome(cloud: RunningCloud, name: str) -> None:
    # Given the local cloud, with nothing in its dead-letter queue
    expected = WORKER_EVENTS[name]
    dead_letters(cloud)
    sent_before = emails_sent(cloud)
    outbox_before = len(list_outbox(cloud.outbox))

    # When the SAM CLI invokes the worker with the event, in its container
    result = sam_invoke(cloud.state_file, "WorkerFunction", EVENTS / name)

    # Then every record is acknowledged, each as the worker's outcomes table says
    assert result.returncode == 0, result.stderr[-4000:]
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {"batchItemFailures": []}
    reasons = sorted(
        str(m["MessageAttributes"]["reason_code"]["StringValue"]) for m in dead_letters(cloud)
    )
    assert tuple(reasons) == expected.dead_letter_reasons
    assert [task_status(cloud, task_id) for task_id in expected.succeeded] == ["succeeded"] * len(
        expected.succeeded
    )
    assert emails_sent(cloud) - sent_before == len(expected.emailed)
    if expected.emailed:
        arrived = wait_for(
            "the emails in the outbox",
            lambda: list_outbox(cloud.outbox)[outbox_before:] or None,
        )
        assert sorted(entry.to for entry in arrived) == sorted(expected.emailed)


def test_the_api_queues_a_notification_that_the_local_clouds_worker_sends(
    cloud: RunningCloud,
) -> None:
    outbox_before = len(list_outbox(cloud.outbox))

    result = sam_invoke(cloud.state_file, "ApiFunction", EVENTS / "send_notification.json")

    assert result.returncode == 0, result.stderr[-4000:]
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 202, response
    task_ids = json.loads(response["body"])["task_ids"]
    assert len(task_ids) == 2
    wait_for(
        "the local cloud's worker to finish both tasks",
        lambda: all(task_status(cloud, task_id) == "succeeded" for task_id in task_ids),
    )
    [mail] = wait_for(
        "the notification in the outbox",
        lambda: [e for e in list_outbox(cloud.outbox)[outbox_before:] if e.to == "you@example.com"],
    )
    assert mail.subject == "Notification"


def test_the_sample_admin_the_pool_does_not_know_is_refused_the_log(cloud: RunningCloud) -> None:
    # The event's claims name the admin group, but its user is not in the local cloud's pool:
    # the API asks the pool, and the claim alone gives no admin power.
    result = sam_invoke(cloud.state_file, "ApiFunction", EVENTS / "list_logs.json")

    assert result.returncode == 0, result.stderr[-4000:]
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 403, response


def test_the_api_answers_an_admins_request_for_the_log(cloud: RunningCloud, tmp_path: Path) -> None:
    # Given the sample event with the claims of an admin of the local cloud's pool (in the
    # group, TOTP on), as API Gateway's authorizer passes them on
    token = cloud.cloud.token("admin@example.com", admin=True)
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=" * 4))
    event = json.loads((EVENTS / "list_logs.json").read_text())
    event["requestContext"]["authorizer"]["jwt"]["claims"] = render_claims(payload)
    path = tmp_path / "list_logs_admin.json"
    path.write_text(json.dumps(event))

    result = sam_invoke(cloud.state_file, "ApiFunction", path)

    assert result.returncode == 0, result.stderr[-4000:]
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["statusCode"] == 200, response
    assert isinstance(json.loads(response["body"]), list)
