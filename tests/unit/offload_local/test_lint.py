"""The library's template rules at start-up: judged with this run's parameter values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from offload_local.errors import WiringError
from offload_local.template.lint import check_wiring
from offload_local.template.stack import Stack
from offload_local.template.translation import translate
from tests.unit.offload.rules.templates import line_of, properties, sound, text


@pytest.fixture
def fixed() -> dict[str, Any]:
    # A worker whose timeout is a parameter (30 s by default, up to 60) on a queue that hides a
    # message 180 s: 6x the default, not 6x every value a deploy may choose.
    template = sound("sam")
    properties(template, "Tasks")["VisibilityTimeout"] = 180
    return template


@pytest.fixture
def template(tmp_path: Path, fixed: dict[str, Any]) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(text(fixed))
    return path


def test_a_sound_wiring_for_this_runs_values_starts(template: Path) -> None:
    check_wiring(Stack.from_template(translate(template)))


def test_a_wiring_that_would_lose_tasks_with_this_runs_values_is_refused(
    template: Path, fixed: dict[str, Any]
) -> None:
    stack = Stack.from_template(translate(template), {"WorkerTimeout": "45"})

    with pytest.raises(WiringError) as refused:
        check_wiring(stack)

    line = line_of(fixed, "VisibilityTimeout")
    assert str(refused.value) == (
        f"template.yaml would lose or repeat tasks (offload.rules): E9102 (line {line}) Tasks's "
        "VisibilityTimeout is under 6x Worker's Timeout: 180 s against a Timeout of 45 s with "
        "WorkerTimeout=45 (needs 270). SQS would deliver a task again while the worker may "
        "still run it. Raise Tasks's VisibilityTimeout to at least 6x the Timeout"
    )
