"""Time and place over HTTP against the local cloud: a task later by seconds (SQS's delay), one
later by an hour (a one-time schedule the local cloud fires when due), its cancellation, the
daily periodic task fired by its template schedule, and a thumbnail job that does not delay an
email sent at the same time (heavy work has a queue and a worker of its own).

Local only: firing a schedule "when due" an hour ahead needs the local scheduler's clock."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image

from offload.envelope import Envelope
from offload_local.cloud import LocalCloud
from offload_local.console import Console
from offload_local.email.outbox import list_outbox
from offload_local.scheduler.firing import find, fire, schedules
from tests.e2e.client import api_request, call, emails_to, wait_for_tasks
from tests.e2e.conftest import FEATURE_LIMITS, Target
from tests.multipart import multipart
from tests.polling import wait_for
from tests.repository import on_free_ports

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(os.environ.get("AWS_SAM_STACK_NAME")), reason="drives the local cloud's scheduler"
    ),
]
ME = "you@example.com"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    # Its own cloud (it drives the scheduler), with the suite's write limits: its tests write
    # faster than a user's 5 writes per 5 s.
    options = replace(
        on_free_ports(tmp_path_factory.mktemp("outbox")), parameter_overrides=FEATURE_LIMITS
    )
    with LocalCloud(options, Console(colour=False)) as running:
        yield running


@pytest.fixture(scope="module")
def target(cloud: LocalCloud) -> Target:
    assert cloud.api_url is not None
    return Target(
        api_url=cloud.api_url,
        outbox=cloud.options.outbox,
        issue_token=lambda email, admin: cloud.token(email, admin=admin),
    )


def notify_later(target: Target, seconds: int) -> list[str]:
    status, accepted = call(target, "POST", f"/send-notification/{ME}?delay_seconds={seconds}")
    assert status == 202, accepted
    ids: list[str] = accepted["task_ids"]
    return ids


def task(target: Target, task_id: str, token: str | None = None) -> dict[str, Any]:
    status, found = call(target, "GET", f"/tasks/{task_id}", token=token)
    assert status == 200, found
    return dict(found)


def test_a_task_later_by_seconds_waits_on_the_queue_then_runs(target: Target) -> None:
    assert target.outbox is not None
    before = len([e for e in list_outbox(target.outbox) if e.to == ME])
    email_id, log_id = notify_later(target, 2)

    waiting = task(target, email_id)
    assert waiting["status"] == "scheduled"
    assert waiting["due_at"]

    done, _ = wait_for_tasks(target, [email_id, log_id])
    assert done["status"] == "succeeded"
    assert datetime.fromisoformat(done["started_at"]) >= datetime.fromisoformat(waiting["due_at"])
    assert len(emails_to(target, ME, before + 1)) == before + 1


def test_a_task_an_hour_later_is_a_schedule_fired_when_due(
    target: Target, cloud: LocalCloud
) -> None:
    email_id, log_id = notify_later(target, 3600)
    names = {s.name for s in schedules(cloud.deployment.aws)}
    assert {email_id, log_id} <= names
    assert task(target, email_id)["status"] == "scheduled"

    # Not yet due: nothing fires.
    cloud.scheduler.fire_due(datetime.now(UTC) + timedelta(minutes=59))
    assert task(target, email_id)["status"] == "scheduled"
    # Due: each fires once, with its own envelope, and deletes itself.
    fired = cloud.scheduler.fire_due(datetime.now(UTC) + timedelta(hours=1, minutes=1))
    ids = {Envelope.from_body(body).id for schedule, body in fired if schedule.name in names}
    assert {email_id, log_id} <= ids

    statuses = wait_for_tasks(target, [email_id, log_id])
    assert {s["status"] for s in statuses} == {"succeeded"}
    assert {email_id, log_id}.isdisjoint(s.name for s in schedules(cloud.deployment.aws))


def test_its_owner_cancels_a_scheduled_task_and_it_never_runs(
    target: Target, cloud: LocalCloud
) -> None:
    email_id, log_id = notify_later(target, 7200)
    stranger = target.token("stranger@example.com")

    assert call(target, "DELETE", f"/tasks/{email_id}", token=stranger)[0] == 404
    status, cancelled = call(target, "DELETE", f"/tasks/{email_id}")
    assert status == 200, cancelled
    assert cancelled["status"] == "cancelled"
    assert call(target, "DELETE", f"/tasks/{email_id}")[1]["status"] == "cancelled"
    assert email_id not in {s.name for s in schedules(cloud.deployment.aws)}

    # The other task runs when due; the cancelled one, delivered anyway, does not.
    sqs = cloud.deployment.aws.client("sqs")
    url = sqs.get_queue_url(QueueName=find(cloud.deployment.aws, log_id).queue_name)["QueueUrl"]
    sqs.send_message(
        QueueUrl=url,
        MessageBody=json.dumps({"v": 1, "id": email_id, "task": "send_email", "args": [ME]}),
    )
    cloud.scheduler.fire_due(datetime.now(UTC) + timedelta(hours=3))
    [log] = wait_for_tasks(target, [log_id])
    assert log["status"] == "succeeded"
    time.sleep(1)
    assert task(target, email_id)["status"] == "cancelled"
    # Once it ran, a task cannot be cancelled.
    assert call(target, "DELETE", f"/tasks/{log_id}")[0] == 409


def test_the_daily_cleanup_runs_from_its_template_schedule(
    target: Target, cloud: LocalCloud
) -> None:
    aws = cloud.deployment.aws
    [daily] = [s for s in schedules(aws) if "daily_cleanup" in str(s.target.get("Input"))]
    assert daily.expression == "cron(0 3 * * ? *)"

    first = Envelope.from_body(fire(aws, daily, datetime(2026, 12, 2, 3, 0, tzinfo=UTC)))
    # The scheduler firing twice for one occurrence is one task.
    again = Envelope.from_body(fire(aws, daily, datetime(2026, 12, 2, 3, 0, tzinfo=UTC)))
    assert first.id == again.id

    admin = target.token("admin@example.com", admin=True)
    [done] = wait_for_tasks(target, [first.id], token=admin)
    assert done["status"] == "succeeded"
    time.sleep(1)
    assert task(target, first.id, token=admin)["attempts"] == 1


def noisy_png(side: int) -> bytes:
    """A large image that compresses well (a gradient): slow to decode and resize, small to
    send."""
    image = Image.linear_gradient("L").resize((side, side)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def test_a_thumbnail_job_does_not_delay_an_email_sent_at_the_same_time(target: Target) -> None:
    # Given the heavy worker busy with another user's large images (each user's writes have a
    # rate of their own: four uploads and an email at once are two users' doing)
    uploader = target.token("photographer@example.com")
    image = noisy_png(5000)
    uploads = []
    started = time.monotonic()
    for index in range(4):
        body, content_type = multipart(("file", f"big{index}.png", "image/png", image))
        status, raw = api_request(target, "/upload", "POST", body, content_type, token=uploader)
        assert status == 202, raw
        uploads.append(json.loads(raw)["status_url"])
    # When an email is asked for at the same time
    asked = time.monotonic()
    status, accepted = call(target, "POST", f"/send-notification/{ME}")
    assert status == 202, accepted
    [email, _] = wait_for_tasks(target, accepted["task_ids"])
    email_seconds = time.monotonic() - asked

    def all_processed() -> bool:
        files = [call(target, "GET", url, token=uploader)[1] for url in uploads]
        return all(f["status"] in {"ready", "failed"} for f in files)

    wait_for("the uploads to be processed", all_processed, timeout=120)
    uploads_seconds = time.monotonic() - started
    print(
        f"\nemail sent {email_seconds:.2f} s after it was asked for; 4 uploads of a 5000x5000 "
        f"image processed in {uploads_seconds:.2f} s"
    )
    # Then the email did not wait for the images
    assert email["status"] == "succeeded"
    assert email_seconds < uploads_seconds
