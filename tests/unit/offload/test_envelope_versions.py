"""Every envelope this project ever wrote is accepted by the worker (tests/golden/envelopes); one
of a version newer than the worker knows waits for the worker that reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offload import Envelope, TaskRegistry
from offload.envelope import VERSION, occurrence_id
from offload.exceptions import NewerEnvelopeError
from offload.testing import TaskKit

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "envelopes"
BODIES = sorted(GOLDEN.glob("*.json"))

registry = TaskRegistry()
greeted: list[tuple[str, str]] = []


@registry.task("greet")
def greet(email: str, message: str = "") -> None:
    greeted.append((email, message))


@registry.task("tidy")
def tidy() -> None:
    greeted.append(("tidy", ""))


def test_there_is_a_golden_envelope_of_every_shape() -> None:
    assert [b.name for b in BODIES] == [
        "2026-11-27-first.json",
        "2026-11-27-payload.json",
        "2026-12-01-due-at.json",
        "2026-12-01-owner.json",
        "2026-12-01-periodic.json",
    ]


@pytest.mark.parametrize("path", BODIES, ids=lambda p: p.stem)
def test_every_golden_envelope_is_read_as_it_was_written(path: Path) -> None:
    body = path.read_text().strip()
    data = json.loads(body)

    envelope = Envelope.from_body(body)

    assert envelope.v == data["v"] <= VERSION
    assert envelope.id == data.get("id", occurrence_id(data["task"], data["enqueued_at"]))
    assert (envelope.task, envelope.args, envelope.kwargs) == (
        data["task"],
        data.get("args", []),
        data.get("kwargs", {}),
    )
    assert envelope.owner == data.get("owner")
    assert (envelope.payload is None) is ("payload" not in data)


@pytest.mark.parametrize(
    "path", [b for b in BODIES if "payload" not in b.name], ids=lambda p: p.stem
)
def test_every_golden_envelope_runs_its_task_in_the_worker(path: Path) -> None:
    greeted.clear()
    kit = TaskKit(registry=registry)
    data = json.loads(path.read_text())
    kit.queue.put(path.read_text().strip(), data["task"], data.get("id", "x"), kit.clock.now())

    [delivery] = kit.drain()

    assert type(delivery.outcome).__name__ == "Succeeded"
    assert len(greeted) == 1


def test_the_envelope_written_today_is_the_newest_golden_shape() -> None:
    newest = json.loads((GOLDEN / "2026-12-01-due-at.json").read_text())
    written = json.loads(Envelope.from_data(newest).to_body())

    # A change to what the API writes is a new shape: add it to tests/golden/envelopes.
    assert written == newest


@pytest.mark.parametrize("version", [2, 99])
def test_an_envelope_of_a_newer_version_is_not_read_but_waited_for(version: int) -> None:
    body = json.dumps({"v": version, "id": "t1", "task": "greet", "args": [], "whatever": 1})

    with pytest.raises(NewerEnvelopeError) as caught:
        Envelope.from_body(body)

    assert caught.value.version == version
