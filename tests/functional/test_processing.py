"""Data processing: POST /process answers at once, the worker's summary is served once ready."""

from __future__ import annotations

from tests.functional.conftest import Cloud

DATASET = [
    {"city": "Lyon", "temp": 12.5, "rain": True},
    {"city": "Oslo", "temp": -3},
    {"city": "Lyon", "temp": None, "rain": False},
    {"city": "Rome", "temp": 21.5},
]


def test_summary_is_pending_then_ready(cloud: Cloud) -> None:
    status, accepted = cloud.call_api("POST", "/process", DATASET)

    assert status == 202
    assert accepted["status_url"] == f"/process/{accepted['id']}"
    assert cloud.call_api("GET", accepted["status_url"])[0] == 404

    [handled] = cloud.run_worker()

    assert handled["task"] == "summarize_dataset"
    status, result = cloud.call_api("GET", accepted["status_url"])
    assert status == 200
    assert result["status"] == "ready"
    summary = result["summary"]
    assert summary["records"] == 4
    temp = summary["fields"]["temp"]
    assert (temp["count"], temp["nulls"], temp["min"], temp["max"]) == (3, 1, -3, 21.5)
    assert temp["mean"] == (12.5 - 3 + 21.5) / 3
    city = summary["fields"]["city"]
    assert city["distinct"] == 3
    assert city["top"][0] == ["Lyon", 2]
    assert summary["fields"]["rain"]["nulls"] == 2


def test_bad_datasets_are_refused(cloud: Cloud) -> None:
    assert cloud.call_api("POST", "/process", {"not": "a list"})[0] == 422
    assert cloud.call_api("POST", "/process", [1, 2, 3])[0] == 422
    assert cloud.call_api("POST", "/process", [{}] * 1001)[0] == 422
    too_big = [{"text": "x" * 1000}] * 200
    assert cloud.call_api("POST", "/process", too_big)[0] == 413
    assert cloud.call_api("POST", "/process", "a,b\n1,2", content_type="text/csv")[0] == 415
    assert cloud.receive(cloud.task_queue_url) == []
    assert cloud.call_api("GET", "/process/not-an-id")[0] == 422
