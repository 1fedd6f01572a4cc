"""Where the functions trace: on Lambda only, never where no X-Ray daemon listens; and what a
trace holds of a handler: its run, never its response (users' data)."""

from __future__ import annotations

import json

import pytest

from offload.tracing import capture_handler, tracer, tracing_enabled
from tests.conftest import make_context
from tests.xray import tracing_on

LAMBDA = {"LAMBDA_TASK_ROOT": "/var/task"}


@pytest.mark.parametrize(
    ("environ", "enabled"),
    [
        (LAMBDA, True),
        ({}, False),
        # the local cloud, like sam local
        (LAMBDA | {"AWS_SAM_LOCAL": "true"}, False),
        (LAMBDA | {"AWS_CHALICE_CLI_MODE": "true"}, False),
        (LAMBDA | {"POWERTOOLS_TRACE_DISABLED": "true"}, False),
        (LAMBDA | {"POWERTOOLS_TRACE_DISABLED": "1"}, False),
        (LAMBDA | {"POWERTOOLS_TRACE_DISABLED": "false"}, True),
    ],
)
def test_tracing_is_on_in_lambda_unless_emulated_or_disabled(
    environ: dict[str, str], enabled: bool
) -> None:
    assert tracing_enabled(environ) is enabled


def test_where_tracing_is_off_handlers_run_undecorated() -> None:
    def handler(event: object, context: object) -> str:
        return "done"

    assert tracer() is None
    assert capture_handler(handler) is handler


def test_a_traced_handler_keeps_its_response_out_of_the_trace(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    recorder, emitter = tracing_on(monkeypatch)

    def handler(event: object, context: object) -> dict[str, str]:
        return {"body": "ann@example.com's own data"}

    traced = capture_handler(handler)
    recorder.begin_segment("invocation")
    response = traced({}, make_context())
    recorder.end_segment()

    assert response == {"body": "ann@example.com's own data"}
    [segment] = emitter.sent
    [subsegment] = segment["subsegments"]
    assert subsegment["name"] == "## handler"
    assert "metadata" not in subsegment
    assert "ann@example.com" not in json.dumps(segment)
