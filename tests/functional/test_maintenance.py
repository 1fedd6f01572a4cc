"""The daily cleanup, as its schedule fires it (the template's envelope, the worker's handler):
records of uploads that never arrived or whose objects expired go; what the dead-letter queues
hold is reported as a log line and a metric."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.background import background
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


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def cleanup_log() -> Iterator[list[logging.LogRecord]]:
    """The cleanup's log records, as its logger emits them (whatever handlers it has)."""
    handler = Records()
    logger = logging.getLogger("app.tasks.maintenance")
    logger.addHandler(handler)
    yield handler.records
    logger.removeHandler(handler)


def queue_name(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def test_stale_upload_records_go_and_the_dead_letters_are_reported(
    cloud: Cloud, capsys: pytest.CaptureFixture[str], cleanup_log: list[logging.LogRecord]
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
    [report] = [r for r in cleanup_log if "daily cleanup" in r.getMessage()]
    assert report.getMessage() == (
        "daily cleanup: 2 upload record(s) removed; dead-letter queues hold 1 message(s)"
    )
    # `extra` values become attributes of the record.
    assert report.__dict__["dead_letters"] == {
        queue_name(cloud.dead_letter_queue_url): 0,
        queue_name(cloud.heavy_dead_letter_queue_url): 1,
    }
    # The handler prints the metrics (EMF) when the invocation ends.
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line[:1] == "{"]
    [metrics] = [line for line in lines if "DeadLetterMessages" in line]
    assert metrics["DeadLetterMessages"] == [1.0]
    assert metrics["UploadRecordsRemoved"] == [2.0]


def test_the_same_occurrence_delivered_twice_runs_once(cloud: Cloud) -> None:
    fire_daily_cleanup(cloud, "2026-12-03T03:00:00Z")
    fire_daily_cleanup(cloud, "2026-12-03T03:00:00Z")
    fire_daily_cleanup(cloud, "2026-12-04T03:00:00Z")

    from offload.envelope import occurrence_id

    first = background.status(occurrence_id("daily_cleanup", "2026-12-03T03:00:00Z"))
    second = background.status(occurrence_id("daily_cleanup", "2026-12-04T03:00:00Z"))
    assert first is not None
    assert second is not None
    assert (first.status, first.attempts, second.status) == ("succeeded", 1, "succeeded")


def test_the_record_of_an_upload_taken_up_stays_until_the_upload_expires(cloud: Cloud) -> None:
    # Given a presigned upload that arrived and was taken up by its task
    uploaded("arrived", "presigned", timedelta(days=2))
    assert wiring().files.take_up("arrived", "1".zfill(20), "t1").newest

    # When the cleanup runs, past the day an unused presigned POST is kept
    fire_daily_cleanup(cloud, "2026-12-05T03:00:00Z")

    # Then its record stays
    assert wiring().files.get("arrived") is not None


def test_an_upload_taken_up_while_the_cleanup_runs_keeps_its_record(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an unused presigned upload the sweep index lists as due, whose task takes it up
    # right after the index was read (the index lags the table besides)
    uploaded("racing", "presigned", timedelta(days=2))
    files = wiring().files
    table = wiring().table
    read_index = table.query

    def read_then_claimed(*args: Any, **kwargs: Any) -> Iterator[dict[str, Any]]:
        found = list(read_index(*args, **kwargs))
        files.take_up("racing", "1".zfill(20), "t2")
        return iter(found)

    monkeypatch.setattr(table, "query", read_then_claimed)

    # When the sweep deletes what it found due
    removed = files.sweep(datetime.now(UTC))

    # Then the record, due no longer, stays
    assert removed == []
    assert files.get("racing") is not None
