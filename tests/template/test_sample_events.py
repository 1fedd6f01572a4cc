"""events/*.json: real event shapes that `sam local invoke -e`, the local cloud and tests share.

Every file must be valid JSON of a shape Lambda really sends (HTTP API payload 2.0, or an SQS
batch from the task queue), must reach a route the template declares, and must be listed in
events/README.md. The worker samples carry what DESIGN.md's outcomes table talks about.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from offload_local.template.translation import Translated

EVENTS = Path(__file__).resolve().parents[2] / "events"
EVENT_FILES = sorted(EVENTS.glob("*.json"))
HTTP_EVENTS = ["send_notification.json", "list_logs.json"]
SQS_EVENTS = [
    "worker_send_email.json",
    "worker_mixed_batch.json",
    "worker_s3_test_event.json",
]
OFFLOAD_QUEUE_ARN = "arn:aws:sqs:us-east-1:123456789012:TaskQueue"
ENVELOPE_KEYS = {"v", "id", "task", "args", "kwargs", "enqueued_at", "correlation_id"}
S3_TEST_EVENT_KEYS = {"Service", "Event", "Time", "Bucket", "RequestId", "HostId"}
HTTP_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def load(name: str) -> dict[str, Any]:
    path = EVENTS / name
    assert path.exists(), f"events/{name} is missing"
    try:
        event = json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        pytest.fail(f"events/{name} is not valid JSON: {exc}")
    assert isinstance(event, dict), f"events/{name} is a JSON {type(event).__name__}, not an object"
    return event


def shape_problems(event: dict[str, Any]) -> list[str]:
    """Why an event is neither an HTTP API 2.0 event nor an SQS batch (empty when it is one)."""
    if "Records" in event:
        return sqs_problems(event)
    if "version" in event:
        return http_problems(event)
    return ["neither an HTTP API event (version 2.0) nor an SQS event (Records)"]


def http_problems(event: dict[str, Any]) -> list[str]:
    problems = []
    if event.get("version") != "2.0":
        problems.append(f"version is {event.get('version')!r}, HTTP API payload format is '2.0'")
    context = event.get("requestContext", {})
    http = context.get("http", {})
    if http.get("method") not in HTTP_METHODS:
        problems.append(f"requestContext.http.method is {http.get('method')!r}")
    if http.get("path") != event.get("rawPath"):
        problems.append(f"requestContext.http.path {http.get('path')!r} != rawPath")
    if context.get("routeKey") != event.get("routeKey"):
        problems.append("requestContext.routeKey differs from routeKey")
    if not str(event.get("rawPath", "")).startswith("/"):
        problems.append(f"rawPath {event.get('rawPath')!r} does not start with '/'")
    if not isinstance(event.get("body", ""), str):
        problems.append("body is not a string")
    if not isinstance(event.get("isBase64Encoded"), bool):
        problems.append("isBase64Encoded is not a boolean")
    return problems


def sqs_problems(event: dict[str, Any]) -> list[str]:
    records = event.get("Records")
    if not isinstance(records, list) or not records:
        return ["Records is not a non-empty list"]
    if len(records) > 10:
        return [f"{len(records)} records; the worker's BatchSize is at most 10 here"]
    problems = []
    for i, record in enumerate(records):
        where = f"Records[{i}]"
        if record.get("eventSource") != "aws:sqs":
            problems.append(f"{where}.eventSource is {record.get('eventSource')!r}, not 'aws:sqs'")
        if record.get("eventSourceARN") != OFFLOAD_QUEUE_ARN:
            problems.append(f"{where}.eventSourceARN is {record.get('eventSourceARN')!r}")
        if not record.get("messageId"):
            problems.append(f"{where} has no messageId (batchItemFailures names records by it)")
        body = record.get("body")
        if not isinstance(body, str):
            problems.append(f"{where}.body is not a string")
        elif record.get("md5OfBody") != hashlib.md5(body.encode()).hexdigest():  # noqa: S324
            problems.append(f"{where}.md5OfBody is not the MD5 of its body")
    ids = [record.get("messageId") for record in records]
    if len(set(ids)) != len(ids):
        problems.append(f"messageIds repeat: {ids}")
    return problems


def envelope_problems(body: str) -> list[str]:
    """Why a message body is not one of our task envelopes (empty when it is one)."""
    try:
        envelope = json.loads(body)
    except json.JSONDecodeError:
        return ["body is not JSON"]
    if not isinstance(envelope, dict):
        return ["body is not a JSON object"]
    problems = []
    if set(envelope) != ENVELOPE_KEYS:
        problems.append(f"keys {sorted(envelope)} != {sorted(ENVELOPE_KEYS)}")
    if envelope.get("v") != 1:
        problems.append(f"v is {envelope.get('v')!r}, not 1")
    task_id = str(envelope.get("id"))
    try:
        parsed = uuid.UUID(hex=task_id)
    except ValueError:
        parsed = None
    if parsed is None or parsed.version != 4 or parsed.hex != task_id:
        problems.append(f"id {task_id!r} is not a uuid4 in hex")
    if not isinstance(envelope.get("task"), str) or not envelope.get("task"):
        problems.append("task is not a name")
    if not isinstance(envelope.get("args"), list):
        problems.append("args is not a list")
    if not isinstance(envelope.get("kwargs"), dict):
        problems.append("kwargs is not an object")
    try:
        enqueued = datetime.fromisoformat(str(envelope.get("enqueued_at")))
    except ValueError:
        problems.append(f"enqueued_at {envelope.get('enqueued_at')!r} is not ISO 8601")
    else:
        if enqueued.utcoffset() is None:
            problems.append("enqueued_at has no time zone")
    if not isinstance(envelope.get("correlation_id"), str):
        problems.append("correlation_id is not a string")
    return problems


def bodies(name: str) -> list[str]:
    return [str(record["body"]) for record in load(name)["Records"]]


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: p.name)
def test_event_file_has_a_real_shape(path: Path) -> None:
    problems = shape_problems(load(path.name))
    assert not problems, f"events/{path.name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", HTTP_EVENTS + SQS_EVENTS)
def test_expected_event_file_exists(name: str) -> None:
    assert (EVENTS / name).exists(), f"events/{name} is missing"


def test_readme_lists_every_event_file() -> None:
    readme = (EVENTS / "README.md").read_text()
    unlisted = [p.name for p in EVENT_FILES if f"`{p.name}`" not in readme]
    assert not unlisted, f"events/README.md does not describe {unlisted}"


@pytest.mark.parametrize("name", HTTP_EVENTS)
def test_http_event_reaches_a_route_of_the_template(translated: Translated, name: str) -> None:
    # Given the routes SAM generated for the HttpApi (an OpenAPI body, one path per event)
    event = load(name)
    paths = translated.resources["HttpApi"]["Properties"]["Body"]["paths"]
    routes = {"$default"} | {
        f"{'ANY' if method == 'x-amazon-apigateway-any-method' else method.upper()} {path}"
        for path, methods in paths.items()
        for method in methods
    }
    # Then the event's route key is one API Gateway could have matched
    assert event["routeKey"] in routes, (
        f"events/{name} routeKey {event['routeKey']!r} not in {routes}"
    )
    if event["routeKey"].endswith(" /{proxy+}"):
        proxy = event.get("pathParameters", {}).get("proxy")
        assert proxy == event["rawPath"].removeprefix("/"), (
            f"events/{name}: pathParameters.proxy {proxy!r} does not match rawPath"
        )


def test_send_notification_event_is_the_documented_request() -> None:
    event = load("send_notification.json")
    assert (event["requestContext"]["http"]["method"], event["rawPath"]) == (
        "POST",
        "/send-notification/you@example.com",
    )


def test_list_logs_event_is_a_get_of_logs() -> None:
    event = load("list_logs.json")
    assert (event["requestContext"]["http"]["method"], event["rawPath"]) == ("GET", "/logs")


def test_worker_send_email_carries_one_valid_envelope() -> None:
    (body,) = bodies("worker_send_email.json")
    problems = envelope_problems(body)
    assert not problems, "events/worker_send_email.json: " + "; ".join(problems)
    envelope = json.loads(body)
    assert (envelope["task"], envelope["args"], envelope["kwargs"]) == (
        "send_email",
        ["you@example.com"],
        {"message": "some notification"},
    )


def test_worker_mixed_batch_has_a_good_a_garbled_and_an_unknown_task() -> None:
    # One record per outcome of the design's table: success, and two kinds of permanent failure.
    records = bodies("worker_mixed_batch.json")
    valid = [json.loads(b) for b in records if not envelope_problems(b)]
    not_json = [b for b in records if envelope_problems(b) == ["body is not JSON"]]
    assert [e["task"] for e in valid if e["task"] == "send_email"], "no good send_email envelope"
    assert not_json, "no record whose body is not JSON"
    assert [e for e in valid if e["task"] != "send_email"], "no envelope naming an unknown task"
    assert len({e["id"] for e in valid}) == len(valid), "envelope ids repeat within the batch"


def test_worker_s3_test_event_is_what_s3_sends() -> None:
    (body,) = bodies("worker_s3_test_event.json")
    message = json.loads(body)
    assert set(message) == S3_TEST_EVENT_KEYS, f"keys {sorted(message)} != {S3_TEST_EVENT_KEYS}"
    assert (message["Service"], message["Event"]) == ("Amazon S3", "s3:TestEvent")
