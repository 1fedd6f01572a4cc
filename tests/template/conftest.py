"""The template as `sam deploy` would create it: translated once per test module, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from offload.rules.check import check_template
from offload_local.template.translation import Translated, translate
from tests.template.values import default_parameters

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def translated() -> Translated:
    return translate(REPO_ROOT / "template.yaml")


@pytest.fixture(scope="module")
def defaults(translated: Translated) -> dict[str, str]:
    """Parameter values of a deploy that overrides nothing."""
    return default_parameters(translated)


@pytest.fixture(scope="module")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="module")
def rule_findings() -> dict[str, list[str]]:
    """What the library's template rules (offload.rules) find in template.yaml, by rule id."""
    found: dict[str, list[str]] = {}
    for finding in check_template((REPO_ROOT / "template.yaml").read_text()):
        found.setdefault(finding.rule, []).append(str(finding))
    return found
