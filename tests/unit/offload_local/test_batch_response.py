"""Lambda's batch-response rules, every response shape (AWS: "Success and failure conditions")."""

from __future__ import annotations

from typing import Any

import pytest

from offload_local.event_sources.batch_response import decide

IDS = ("m1", "m2", "m3")
ALL = IDS
NONE: tuple[str, ...] = ()


@pytest.mark.parametrize(
    ("response", "deleted", "retried"),
    [
        pytest.param(None, ALL, NONE, id="null response: success"),
        pytest.param({}, ALL, NONE, id="empty object: success"),
        pytest.param({"batchItemFailures": None}, ALL, NONE, id="null list: success"),
        pytest.param({"batchItemFailures": []}, ALL, NONE, id="empty list: success"),
        pytest.param({"other": 1}, ALL, NONE, id="no batchItemFailures key: success"),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": "m2"}]},
            ("m1", "m3"),
            ("m2",),
            id="one listed: the others deleted",
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m3"}]},
            ("m2",),
            ("m1", "m3"),
            id="two listed",
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": i} for i in IDS]},
            NONE,
            ALL,
            id="all listed",
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": "m2"}, {"itemIdentifier": "m2"}]},
            ("m1", "m3"),
            ("m2",),
            id="duplicate ids",
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": "m2", "extra": True}]},
            ("m1", "m3"),
            ("m2",),
            id="extra keys beside itemIdentifier",
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": ""}]}, NONE, ALL, id="empty identifier"
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": None}]}, NONE, ALL, id="null identifier"
        ),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifer": "m1"}]}, NONE, ALL, id="misspelt key"
        ),
        pytest.param({"batchItemFailures": [{"id": "m1"}]}, NONE, ALL, id="wrong key"),
        pytest.param({"batchItemFailures": [{"itemIdentifier": "zz"}]}, NONE, ALL, id="unknown id"),
        pytest.param(
            {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "zz"}]},
            NONE,
            ALL,
            id="one valid, one unknown",
        ),
        pytest.param({"batchItemFailures": [{"itemIdentifier": 1}]}, NONE, ALL, id="number id"),
        pytest.param({"batchItemFailures": ["m1"]}, NONE, ALL, id="entries not objects"),
        pytest.param({"batchItemFailures": "m1"}, NONE, ALL, id="list is a string"),
        pytest.param({"batchItemFailures": {"itemIdentifier": "m1"}}, NONE, ALL, id="dict"),
        pytest.param("ok", NONE, ALL, id="response is a string"),
        pytest.param([{"itemIdentifier": "m1"}], NONE, ALL, id="response is a list"),
    ],
)
def test_report_batch_item_failures(
    response: Any, deleted: tuple[str, ...], retried: tuple[str, ...]
) -> None:
    decision = decide(
        IDS, report_batch_item_failures=True, invocation_failed=False, response=response
    )

    assert decision.delete == deleted
    assert decision.retry == retried
    assert decision.reason


@pytest.mark.parametrize("report", [True, False])
def test_a_failed_invocation_retries_the_whole_batch(report: bool) -> None:
    decision = decide(IDS, report_batch_item_failures=report, invocation_failed=True)

    assert decision.delete == NONE
    assert decision.retry == ALL


@pytest.mark.parametrize(
    "response",
    [None, {"batchItemFailures": [{"itemIdentifier": "m1"}]}, {"batchItemFailures": [{}]}, "x"],
)
def test_without_report_batch_item_failures_the_response_is_ignored(response: Any) -> None:
    # Lambda deletes the whole batch: the listed failures are lost (why the template sets it).
    decision = decide(
        IDS, report_batch_item_failures=False, invocation_failed=False, response=response
    )

    assert decision.delete == ALL
    assert decision.retry == NONE
