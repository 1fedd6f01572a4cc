"""One trace from request to task: the API puts its invocation's X-Ray trace header on every
task it queues (SQS's AWSTraceHeader), which is how X-Ray links the request to the worker. And
what the functions' traces hold where tracing is on: each invocation and each task's run, never
a handler's response (users' data)."""

from __future__ import annotations

import importlib.util
import json
from types import ModuleType
from typing import Any

import pytest

import api.handler
import worker.handler
from tests.background import offload_clients
from tests.conftest import make_context
from tests.functional.conftest import ALICE, Cloud, captured, http_event
from tests.xray import tracing_on

TRACE = "Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1"


def test_every_task_of_a_request_carries_its_trace_header(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As the Lambda runtime sets it for the invocation
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
    sent = captured(offload_clients().sqs, "SendMessageBatch")

    status, body = cloud.call_api("POST", "/send-notification/you@example.com")

    assert status == 202, body
    entries = [entry for call in sent for entry in call["Entries"]]
    assert sorted(json.loads(e["MessageBody"])["id"] for e in entries) == sorted(body["task_ids"])
    assert [e["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"] for e in entries] == [
        TRACE
    ] * len(body["task_ids"])


def imported_afresh(module: ModuleType) -> ModuleType:
    """The module's code run again, as a new execution environment imports it (with tracing on
    by now), as a module of its own: the one imported before is left as it was."""
    assert module.__file__ is not None
    spec = importlib.util.spec_from_file_location(f"{module.__name__}_traced", module.__file__)
    assert spec is not None
    assert spec.loader is not None
    fresh = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fresh)
    return fresh


def metadata(entity: dict[str, Any]) -> list[Any]:
    """The metadata of a traced entity and of every subsegment under it."""
    found = [entity["metadata"]] if "metadata" in entity else []
    for subsegment in entity.get("subsegments", []):
        found += metadata(subsegment)
    return found


PRIVATE = "ann's teapot, not for traces"


def test_the_api_handlers_trace_holds_no_response(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder, emitter = tracing_on(monkeypatch)
    handler = imported_afresh(api.handler).handler
    event = http_event("POST", "/items", json.dumps({"name": PRIVATE}))
    event["requestContext"]["authorizer"]["jwt"]["claims"] = ALICE.claims()

    recorder.begin_segment("ApiFunction")
    response = handler(event, make_context())
    recorder.end_segment()

    assert response["statusCode"] == 201
    assert PRIVATE in response["body"]
    [segment] = emitter.sent
    assert [s["name"] for s in segment["subsegments"]] == ["## handler"]
    assert metadata(segment) == []
    assert PRIVATE not in json.dumps(segment)


def test_the_worker_handlers_trace_holds_no_response(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cloud.call_api("POST", "/items", {"name": PRIVATE})[0] == 201
    messages = cloud.receive(cloud.task_queue_url)
    recorder, emitter = tracing_on(monkeypatch)
    handler = imported_afresh(worker.handler).handler

    recorder.begin_segment("WorkerFunction")
    response = handler(cloud.sqs_event(messages), make_context())
    recorder.end_segment()

    assert response == {"batchItemFailures": []}
    [segment] = emitter.sent
    [invocation] = segment["subsegments"]
    assert invocation["name"] == "## handler"
    # Each task's run is traced (offload.hooks.TracingHook), with annotations only
    assert sorted(s["name"] for s in invocation["subsegments"]) == [
        "## task send_item_created_email",
        "## task update_search_index",
        "## task write_log",
    ]
    assert metadata(segment) == []
    assert PRIVATE not in json.dumps(segment)
