"""Tasks that run later, through the real handlers with moto: SQS's delay up to 15 minutes, a
one-time schedule beyond (moto stores it; firing it is sending its input, as the scheduler does),
cancellation by the owner, and what happens when a schedule fires twice or a cancelled task is
delivered anyway."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from app.background import background
from app.tasks.notifications import send_email
from app.tasks.uploads import process_upload
from app.uploads.events import UploadedObject
from offload.producer import RequestTasks, enqueue
from tests.functional.conftest import BOB, Cloud, sent_emails
from tests.moto_aws import REGION

ME = "you@example.com"


def scheduler() -> Any:
    return boto3.client("scheduler", region_name=REGION)


def schedule_group(cloud: Cloud) -> str:
    return str(cloud.deployment.registry.ref("TaskScheduleGroup"))


def one_time_schedules(cloud: Cloud) -> set[str]:
    """The names of the group's schedules, the template's own (periodic tasks) left out."""
    periodic = {
        str(s.ref) for s in cloud.deployment.registry.of_type("AWS::Scheduler::Schedule").values()
    }
    listed = scheduler().list_schedules(GroupName=schedule_group(cloud))["Schedules"]
    return {s["Name"] for s in listed} - periodic


def notify_later(cloud: Cloud, seconds: int) -> list[str]:
    status, body = cloud.call_api(
        "POST", f"/send-notification/{ME}", query=f"delay_seconds={seconds}"
    )
    assert status == 202, body
    ids: list[str] = body["task_ids"]
    return ids


def fire(cloud: Cloud, task_id: str) -> None:
    """What EventBridge Scheduler does when the schedule is due: its input onto its queue."""
    schedule = scheduler().get_schedule(Name=task_id, GroupName=schedule_group(cloud))
    assert schedule["Target"]["Arn"] == cloud.task_queue_arn
    cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody=schedule["Target"]["Input"])


def test_an_hour_later_is_a_one_time_schedule_and_the_row_says_scheduled(cloud: Cloud) -> None:
    email_id, log_id = notify_later(cloud, 3600)

    assert cloud.receive(cloud.task_queue_url) == []
    names = one_time_schedules(cloud)
    assert names == {email_id, log_id}
    status, row = cloud.call_api("GET", f"/tasks/{email_id}")
    assert status == 200
    assert row["status"] == "scheduled"
    assert row["due_at"]

    fire(cloud, email_id)
    fire(cloud, log_id)
    cloud.run_worker()

    assert len(sent_emails()) == 1
    assert cloud.call_api("GET", f"/tasks/{email_id}")[1]["status"] == "succeeded"


def test_each_task_due_later_is_scheduled_onto_its_own_queue(cloud: Cloud) -> None:
    # Given a quick task and a heavy one, an hour ahead, from the front door the API uses, with
    # the variables template.yaml gives the API function
    tasks = RequestTasks(background.registry, background.clock)
    later = tasks.later(timedelta(hours=1))
    email_id = later.add_task(send_email, ME, message="in an hour")
    upload_id = later.add_task(
        process_upload, "f1", UploadedObject(sequencer="0A", etag="e1", size=1)
    )

    enqueue(tasks.added, background)

    # Then each schedule sends its task where a worker for it waits
    targets = {
        task_id: scheduler().get_schedule(Name=task_id, GroupName=schedule_group(cloud))["Target"][
            "Arn"
        ]
        for task_id in (email_id, upload_id)
    }
    assert targets == {email_id: cloud.task_queue_arn, upload_id: cloud.heavy_queue_arn}


def test_a_minute_later_rides_sqs_with_a_delay_and_no_schedule(cloud: Cloud) -> None:
    notify_later(cloud, 60)

    attributes = cloud.sqs.get_queue_attributes(
        QueueUrl=cloud.task_queue_url, AttributeNames=["ApproximateNumberOfMessagesDelayed"]
    )["Attributes"]
    assert attributes["ApproximateNumberOfMessagesDelayed"] == "2"
    assert one_time_schedules(cloud) == set()


def test_a_schedule_that_fires_twice_sends_one_email(cloud: Cloud) -> None:
    email_id, _ = notify_later(cloud, 3600)

    fire(cloud, email_id)
    fire(cloud, email_id)
    cloud.run_worker()

    assert len(sent_emails()) == 1
    assert cloud.call_api("GET", f"/tasks/{email_id}")[1]["attempts"] == 1


def test_its_owner_cancels_it_and_it_never_runs_even_if_delivered(cloud: Cloud) -> None:
    email_id, log_id = notify_later(cloud, 3600)
    schedule = scheduler().get_schedule(Name=email_id, GroupName=schedule_group(cloud))

    assert cloud.call_api("DELETE", f"/tasks/{email_id}", as_user=BOB)[0] == 404
    status, cancelled = cloud.call_api("DELETE", f"/tasks/{email_id}")
    assert status == 200, cancelled
    assert cancelled["status"] == "cancelled"
    assert cancelled["reason"]["code"] == "cancelled"
    names = one_time_schedules(cloud)
    assert names == {log_id}
    # Cancelling again answers the same.
    assert cloud.call_api("DELETE", f"/tasks/{email_id}")[1]["status"] == "cancelled"

    # Delivered anyway (the schedule had already fired): acknowledged, not run.
    input_body = schedule["Target"]["Input"]
    cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody=input_body)
    cloud.run_worker()
    assert sent_emails() == []
    assert cloud.call_api("GET", f"/tasks/{email_id}")[1]["status"] == "cancelled"


def test_a_task_that_is_not_scheduled_cannot_be_cancelled(cloud: Cloud) -> None:
    status, body = cloud.call_api("POST", f"/send-notification/{ME}")
    email_id = body["task_ids"][0]

    status, refused = cloud.call_api("DELETE", f"/tasks/{email_id}")
    assert status == 409
    assert "queued" in refused["detail"]
    cloud.run_worker()
    assert cloud.call_api("DELETE", f"/tasks/{email_id}")[0] == 409
    assert cloud.call_api("DELETE", "/tasks/" + "0" * 32)[0] == 404


@pytest.mark.parametrize("seconds", ["-1", str(366 * 24 * 3600), "soon"])
def test_a_delay_it_cannot_honour_is_a_422(cloud: Cloud, seconds: str) -> None:
    status, body = cloud.call_api(
        "POST", f"/send-notification/{ME}", query=f"delay_seconds={seconds}"
    )
    assert status == 422, body
    assert cloud.receive(cloud.task_queue_url) == []


@pytest.mark.settings(OFFLOAD_SCHEDULE_GROUP_NAME="no-such-group")
def test_a_scheduler_that_refuses_answers_503_and_leaves_nothing(cloud: Cloud) -> None:
    status, body = cloud.call_api("POST", f"/send-notification/{ME}", query="delay_seconds=3600")

    assert status == 503, body
    assert cloud.receive(cloud.task_queue_url) == []
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=cloud.table_name)["Items"]
    assert [i for i in items if i["pk"]["S"].startswith("TASK#")] == []
    # The email quota charged for the request was given back.
    [quota] = [i for i in items if i["pk"]["S"].startswith("QUOTA#EMAIL#")]
    assert quota["used"]["N"] == "0", json.dumps(quota)
