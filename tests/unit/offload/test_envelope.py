from __future__ import annotations

import json
from datetime import timedelta

import pytest

from offload import Envelope, EnvelopeError
from offload.envelope import occurrence_id


def test_round_trip_keeps_every_field() -> None:
    envelope = Envelope(task="send_email", args=["a@example.com"], kwargs={"message": "hi"})

    again = Envelope.from_body(envelope.to_body())

    assert again == envelope
    assert again.v == 1
    assert len(again.id) == 32


def test_body_is_plain_json_with_the_documented_fields() -> None:
    body = json.loads(Envelope(task="t", correlation_id="c-1").to_body())

    assert set(body) == {"v", "id", "task", "args", "kwargs", "enqueued_at", "correlation_id"}
    assert body["correlation_id"] == "c-1"


def test_each_envelope_gets_its_own_id_and_an_aware_utc_time() -> None:
    assert Envelope(task="t").id != Envelope(task="t").id
    assert Envelope(task="t").enqueued_at.utcoffset() == timedelta(0)


def test_an_envelope_without_an_id_is_one_occurrence_of_its_task() -> None:
    # A periodic task's body, as its schedule delivers it.
    at = "2026-12-02T03:00:00Z"

    tidy, report = (
        Envelope.from_body(json.dumps({"task": t, "enqueued_at": at})) for t in ("tidy", "report")
    )

    assert tidy.id == occurrence_id("tidy", at)
    assert report.id == occurrence_id("report", at) != tidy.id


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # No version was ever 0 (a newer one waits: test_envelope_versions.py).
        ('{"v": 0, "task": "t"}', "v: Input should be 1"),
        ('{"v": 1}', "task: Field required"),
        ('{"v": 1, "task": "t", "pickle": "..."}', "pickle: Extra inputs are not permitted"),
        ("[1, 2]", "not a task envelope"),
        ("not json", "not a task envelope"),
    ],
)
def test_bodies_that_are_not_envelopes_are_refused_with_a_reason(body: str, reason: str) -> None:
    with pytest.raises(EnvelopeError, match=reason):
        Envelope.from_body(body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        # Every problem, where it is: for the dead-letter queue's reader.
        ('{"v": 0}', "v: Input should be 1; task: Field required"),
        (
            '{"task": "t", "payload": {"bucket": "b", "key": "k"}}',
            "payload.bucket: String should have at least 3 characters",
        ),
    ],
)
def test_a_refusal_lists_each_problem_at_its_place(body: str, reason: str) -> None:
    with pytest.raises(EnvelopeError) as caught:
        Envelope.from_body(body)

    assert str(caught.value) == f"not a task envelope: {reason}"


def test_refusal_does_not_echo_the_body() -> None:
    body = json.dumps({"v": 1, "task": "t", "args": "x" * 5000})

    with pytest.raises(EnvelopeError) as caught:
        Envelope.from_body(body)

    assert len(str(caught.value)) < 300
