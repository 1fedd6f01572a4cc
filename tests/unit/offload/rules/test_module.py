"""offload.rules is a module of cfn-lint rules, run by `--append-rules offload.rules`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.rules import Rules

from tests.unit.offload.rules.templates import SHAPES, findings, properties, sound, text

FUNCTIONS = Path(__file__).resolve().parents[4] / "functions"
RULE_IDS = {"E9101", "E9102", "E9103", "E9104", "E9105", "E9106"}


def test_cfn_lint_finds_every_rule_in_the_module() -> None:
    rules = Rules.create_from_module("offload.rules")

    assert set(rules) == RULE_IDS


def test_every_rule_says_what_it_checks() -> None:
    for rule in Rules.create_from_module("offload.rules").values():
        assert rule.id.startswith("E9"), "cfn-lint keeps E9xxx for its users' rules"
        assert rule.shortdesc
        assert len(rule.description.split()) > 20
        assert "offload" in rule.tags


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("rule", sorted(RULE_IDS))
def test_every_rule_passes_a_sound_template(rule: str, shape: str) -> None:
    # Each rule's own tests break the sound template one piece at a time.
    assert findings(sound(shape), rule) == []


def test_the_cfn_lint_command_runs_them(tmp_path: Path) -> None:
    # Given a template whose task queue hides a message 5 s from a 30 s worker
    template = sound("cloudformation")
    properties(template, "Tasks")["VisibilityTimeout"] = 5
    path = tmp_path / "template.json"
    path.write_text(text(template))
    cfn_lint = Path(sys.executable).with_name("cfn-lint")

    # When cfn-lint runs with the module appended
    result = subprocess.run(  # noqa: S603 (our own interpreter's tool and arguments)
        [str(cfn_lint), str(path), "--append-rules", "offload.rules", "--format", "parseable"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(FUNCTIONS)},
        timeout=120,
        check=False,
    )

    # Then it reports the rule, and fails
    assert result.returncode == 2, result.stdout + result.stderr
    assert ":E9102:Tasks's VisibilityTimeout is under 6x Worker's Timeout" in result.stdout
