"""The daily cleanup, as its schedule fires it (the template's envelope, the worker's handler):
records of uploads that never arrived or whose objects expired go; what the dead-letter queues
hold is reported as a log line and a metric."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.uploads.files import UploadedFile
from app.wiring import wiring
from offload.periodic import periodic_body
from tests.functional.conftest import ALICE, Cloud


def uploaded(file_id: str, via: str, age: timedelta, task_id: str | None = None) -> None:
    file = UploadedFile(
        id=file_id,
        owner=ALICE.sub,
        via=via,
        name=f"{file_id}.csv",
        created_at=datetime.now(UTC) - age,
        task_id=task_id,
    )
    wiring().files.create(file)


def fire_daily_cleanup(cloud: Cloud, occurrence: str) -> None:
    body = periodic_body("daily_cleanup").replace("<aws.scheduler.scheduled-time>", occurrence)
    cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody=body)
    cloud.run_worker()


def test_stale_upload_records_go_and_the_dead_letters_are_reported(
    cloud: Cloud, capfd: pytest.CaptureFixture[str]
) -> None:
    # Given uploads in every state, and one dead letter waiting
    uploaded("never-arrived", "presigned", timedelta(days=2))
    uploaded("on-its-way", "presigned", timedelta(minutes=2))
    uploaded("processed", "presigned", timedelta(days=2), task_id="t1")
    uploaded("expired", "api", timedelta(days=31), task_id="t2")
    uploaded("kept", "api", timedelta(days=3), task_id="t3")
    cloud.sqs.send_message(QueueUrl=cloud.heavy_dead_letter_queue_url, MessageBody="{}")

    # When its schedule fires
    fire_daily_cleanup(cloud, "2026-12-02T03:00:00Z")

    # Then only the stale records are gone
    files = wiring().files
    gone = {i for i in ("never-arrived", "expired") if files.get(i) is None}
    kept = {i for i in ("on-its-way", "processed", "kept") if files.get(i) is not None}
    assert gone == {"never-arrived", "expired"}
    assert kept == {"on-its-way", "processed", "kept"}
    # And the report says so, in the log and as metrics
    lines = [
        json.loads(line) for line in capfd.readouterr().out.splitlines() if line.startswith("{")
    ]
    [report] = [line for line in lines if "daily cleanup" in str(line.get("message"))]
    assert report["message"] == (
        "daily cleanup: 2 upload record(s) removed; dead-letter queues hold 1 message(s)"
    )
    assert report["dead_letters"] == {"DeadLetterQueue": 0, "HeavyDeadLetterQueue": 1}
    [metrics] = [line for line in lines if "DeadLetterMessages" in line]
    assert metrics["DeadLetterMessages"] == [1.0]
    assert metrics["UploadRecordsRemoved"] == [2.0]


def test_the_same_occurrence_delivered_twice_runs_once(cloud: Cloud) -> None:
    fire_daily_cleanup(cloud, "2026-12-03T03:00:00Z")
    fire_daily_cleanup(cloud, "2026-12-03T03:00:00Z")
    fire_daily_cleanup(cloud, "2026-12-04T03:00:00Z")

    from offload.envelope import occurrence_id

    records = wiring().task_records
    first = records.get(occurrence_id("daily_cleanup", "2026-12-03T03:00:00Z"))
    second = records.get(occurrence_id("daily_cleanup", "2026-12-04T03:00:00Z"))
    assert first is not None
    assert second is not None
    assert (first.status, first.attempts, second.status) == ("succeeded", 1, "succeeded")
