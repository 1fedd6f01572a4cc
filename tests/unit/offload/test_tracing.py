"""Where the functions trace: on Lambda only, never where no X-Ray daemon listens."""

from __future__ import annotations

import pytest

from offload.tracing import capture_handler, tracer, tracing_enabled

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
