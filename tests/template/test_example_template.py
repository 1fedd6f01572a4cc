"""examples/background-tasks/template.yaml is the template unit, pasted whole, with the app's API
added: every part of the unit is there as the unit has it (the worker given one variable of the
app's), the API function has the unit's block, and cfn-lint with the template rules passes."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import decode_str

from offload_local.commands.template_unit import unit_text
from offload_local.template.translation import load
from tests.repository import REPO_ROOT
from tests.template.test_template_unit import cfn_lint
from tests.user_project import unit_api_block

EXAMPLE = REPO_ROOT / "examples" / "background-tasks"
#: What the example adds to the unit's worker: the folder write_log writes log.txt in.
WORKER_ADDITIONS = {"LOG_DIRECTORY": {"Ref": "LogDirectory"}}


@pytest.fixture(scope="module")
def example() -> dict[str, Any]:
    return load(EXAMPLE / "template.yaml")


@pytest.fixture(scope="module")
def unit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("unit") / "template.yaml"
    path.write_text(unit_text())
    return load(path)


@pytest.mark.parametrize("section", ["Parameters", "Conditions", "Resources", "Outputs"])
def test_every_part_of_the_unit_is_in_the_example_as_the_unit_has_it(
    example: dict[str, Any], unit: dict[str, Any], section: str
) -> None:
    expected = copy.deepcopy(unit[section])
    if section == "Resources":
        worker = expected["OffloadWorkerFunction"]["Properties"]["Environment"]["Variables"]
        worker.update(WORKER_ADDITIONS)

    assert {name: example[section].get(name) for name in expected} == expected


def test_the_api_function_has_the_units_block(example: dict[str, Any]) -> None:
    wrapped = "Resources:\n  Api:\n    Properties:\n" + "".join(
        f"      {line}\n" for line in unit_api_block(unit_text()).splitlines()
    )
    decoded, errors = decode_str(wrapped)
    assert not errors
    block = decoded["Resources"]["Api"]["Properties"]
    api = example["Resources"]["ApiFunction"]["Properties"]

    variables = api["Environment"]["Variables"]
    assert {name: variables.get(name) for name in block["Environment"]["Variables"]} == (
        block["Environment"]["Variables"]
    )
    assert all(policy in api["Policies"] for policy in block["Policies"])


def test_a_deploy_updates_the_worker_before_the_api(example: dict[str, Any]) -> None:
    assert example["Resources"]["ApiFunction"]["DependsOn"] == "OffloadWorkerFunction"


def test_the_example_passes_cfn_lint_and_the_template_rules(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text((EXAMPLE / "template.yaml").read_text())

    result = cfn_lint(template)

    assert result.returncode == 0, result.stdout + result.stderr
