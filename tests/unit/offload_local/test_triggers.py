"""Which kind of event a file holds, as the invoke commands tell a function's events apart
(whether a function receives that kind: tests/functional/offload_local/test_sam_command.py)."""

from __future__ import annotations

from typing import Any

import pytest

from offload_local.functions.triggers import HTTP_API_REQUEST, SQS_BATCH, event_kind
from tests.conftest import EVENTS, load_event


@pytest.mark.parametrize("path", sorted(EVENTS.glob("*.json")), ids=lambda p: p.name)
def test_every_sample_event_is_of_a_known_kind(path: Any) -> None:
    kind = event_kind(load_event(path.stem))

    assert kind == (SQS_BATCH if path.name.startswith("worker_") else HTTP_API_REQUEST)


@pytest.mark.parametrize(
    ("event", "kind"),
    [
        ({"Records": [{"eventSource": "aws:s3", "s3": {}}]}, "an S3 notification"),
        ({"Records": [{"EventSource": "aws:sns", "Sns": {}}]}, "an SNS message"),
        # Not told apart: a mix, a REST API (payload 1.0) request, anything of one's own
        ({"Records": [{"eventSource": "aws:sqs"}, {"eventSource": "aws:s3"}]}, None),
        ({"version": "1.0", "httpMethod": "GET", "requestContext": {}}, None),
        ({"anything": "of my own"}, None),
        ([], None),
    ],
)
def test_other_events(event: Any, kind: str | None) -> None:
    assert event_kind(event) == kind
