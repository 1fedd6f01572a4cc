"""offload.lifecycle: a row's states and transitions as data, and how the DynamoDB rows render a
transition (its sources become the write's condition, its writes the update expression)."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from offload.lifecycle import (
    CANCEL,
    DEAD_LETTER,
    FAIL,
    FAILED_ON,
    FAILURE_STATES,
    RETRY,
    START,
    SUCCEED,
    TRANSITIONS,
    UNSCHEDULE,
    State,
    Transition,
)
from offload.rows import render

STATES = set(get_args(State))
NOW_MS = 1_764_590_400_000


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.name)
def test_every_transition_goes_from_states_to_a_state(transition: Transition) -> None:
    assert transition.to in STATES
    assert transition.sources is None or transition.sources <= STATES


@pytest.mark.parametrize(
    ("row", "allowed"),
    [
        (None, True),
        *((({"status": s}), True) for s in ("queued", "scheduled", "retrying", "failed")),
        ({"status": "dead_lettered"}, True),
        ({"status": "running", "lock_until": NOW_MS - 1}, True),
        # The lock holds to the millisecond it names.
        ({"status": "running", "lock_until": NOW_MS}, False),
        ({"status": "succeeded"}, False),
        ({"status": "cancelled"}, False),
    ],
)
def test_a_run_starts_from_any_state_but_a_held_lock_a_success_or_a_cancellation(
    row: dict[str, Any] | None, allowed: bool
) -> None:
    assert START.allows(row, NOW_MS) is allowed


@pytest.mark.parametrize(
    ("transition", "allowed"),
    [(CANCEL, {"queued", "scheduled"}), (UNSCHEDULE, {"scheduled"})],
    ids=["cancel", "unschedule"],
)
def test_only_a_task_not_yet_started_is_cancelled(
    transition: Transition, allowed: set[str]
) -> None:
    assert {s for s in STATES if transition.allows({"status": s}, NOW_MS)} == allowed
    assert not transition.allows(None, NOW_MS)


def test_an_outcome_is_recorded_whatever_happened_meanwhile() -> None:
    for transition in (SUCCEED, RETRY, FAIL, DEAD_LETTER):
        assert all(transition.allows({"status": s}, NOW_MS) for s in STATES)
        assert transition.allows(None, NOW_MS)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.name)
def test_a_row_is_in_the_recent_failures_exactly_while_it_failed(transition: Transition) -> None:
    # The API's rows are fresh (no state to leave: a put); the others change a row in the index.
    fresh = transition.sources == frozenset()
    before = None if fresh else {FAILED_ON: "2026-11-30"}
    after = transition.apply(before, {FAILED_ON: "2026-12-01"})

    in_index = after.get(FAILED_ON)
    if fresh:
        assert in_index is None
    elif transition.to in FAILURE_STATES:
        assert in_index == "2026-12-01"
    elif FAILED_ON in transition.removes:
        assert in_index is None
    else:
        # Cancelling a task not yet started leaves the index as it was (it was never in it).
        assert transition in (CANCEL, UNSCHEDULE)


def test_apply_writes_given_values_fills_only_what_is_absent_and_counts() -> None:
    row = {"status": "failed", "owner": "u1", "attempts": 2, "reason": {"code": "x"}}

    after = START.apply(row, {"owner": "u2", "id": "t1", "started_at": "now", "task": None})

    assert after["status"] == "running"
    assert (after["owner"], after["id"], after["attempts"]) == ("u1", "t1", 3)
    assert after["started_at"] == "now"
    assert "task" not in after  # a value that is None is not written
    assert "reason" not in after


def test_the_dynamodb_rows_render_start_from_its_data() -> None:
    update = render(START, {"task": "t", "owner": "u", "lock_until": 5}, NOW_MS)

    # Every source state, the absent row and the ended lock: nothing else starts a run.
    sources = {v for k, v in update["expression_values"].items() if k.startswith(":from")}
    assert sources == set(START.sources or ())
    assert update["condition"].count(" OR ") == 2
    assert "attribute_not_exists(pk)" in update["condition"]
    # Reserved words (status, owner) only ever through a placeholder.
    assert update["names"]["#status"] == "status"
    assert "#owner = if_not_exists(#owner, :owner)" in update["expression"]
    assert update["expression"].endswith("ADD #attempts :one")


def test_an_unconditional_transition_renders_no_condition() -> None:
    assert "condition" not in render(SUCCEED, {"finished_at": "now"}, NOW_MS)
