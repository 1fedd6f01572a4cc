"""One trace from request to task: the API puts its invocation's X-Ray trace header on every
task it queues (SQS's AWSTraceHeader), which is how X-Ray links the request to the worker."""

from __future__ import annotations

import json

import pytest

from tests.background import offload_clients
from tests.functional.conftest import Cloud, captured

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
