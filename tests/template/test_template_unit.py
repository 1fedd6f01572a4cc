"""The template unit (offload/sam/offload.yaml): alone, and in a user's template with an API
function that has the unit's block pasted in, it passes cfn-lint with the library's template
rules; its table is the one offload's rows are written to; and the rules catch a paste that
leaves the API's permissions out."""

from __future__ import annotations

import os
import subprocess
from importlib.resources import files
from pathlib import Path

import pytest

import offload
from offload.lifecycle import FAILED_ON, FAILURE_INDEX
from offload.rows import key
from offload.rules.check import check_template
from offload_local.commands.template_unit import unit_text
from offload_local.template.translation import load
from tests.template.test_scanners import console_script
from tests.user_project import user_template, write_project


def cfn_lint(template: Path) -> subprocess.CompletedProcess[str]:
    """cfn-lint as a user runs it, in the template's folder: its own rules, and the library's
    appended (the offload under test)."""
    command = console_script("cfn-lint", "cfnlint.runner")
    library = Path(offload.__file__).resolve().parents[1]
    return subprocess.run(  # noqa: S603 - our own tool and arguments
        [*command, template.name, "--append-rules", "offload.rules"],
        capture_output=True,
        text=True,
        check=False,
        cwd=template.parent,
        env={**os.environ, "PYTHONPATH": str(library)},
        timeout=300,
    )


#: The unit as the library ships it (package data of `offload`).
UNIT = Path(str(files("offload").joinpath("sam", "offload.yaml")))


@pytest.fixture(scope="module")
def unit() -> dict[str, object]:
    return load(UNIT)


def test_the_unit_alone_passes_cfn_lint_and_the_template_rules(tmp_path: Path) -> None:
    template = tmp_path / "template.yaml"
    template.write_text(unit_text())

    result = cfn_lint(template)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_unit_with_an_api_function_passes_cfn_lint_and_the_template_rules(
    tmp_path: Path,
) -> None:
    template = write_project(tmp_path)

    result = cfn_lint(template)

    assert result.returncode == 0, result.stdout + result.stderr


def test_an_api_function_pasted_without_its_policies_is_caught() -> None:
    text = user_template()
    policies = text.index(
        "      Policies:\n        - SQSSendMessagePolicy:", text.index("ApiFunction:")
    )
    without = text[:policies] + text[text.index("\nOutputs:") :]

    findings = check_template(without)

    assert {f.rule for f in findings} == {"E9105"}, findings
    assert all("ApiFunction" in f.message for f in findings)


def test_the_unit_holds_for_every_value_of_its_parameters() -> None:
    # Without parameter values, each parameter's AllowedValues, or Default, MinValue and
    # MaxValue, are checked: no timeout the parameters allow outruns the visibility timeout,
    # and the attempts and maxReceiveCount are one parameter.
    assert check_template(user_template()) == []


def test_every_name_of_the_unit_is_offload_prefixed(unit: dict[str, object]) -> None:
    for section in ("Parameters", "Conditions", "Resources", "Outputs"):
        names = unit[section]
        assert isinstance(names, dict)
        assert all(name.startswith("Offload") for name in names), section


def test_the_units_table_is_the_one_offloads_rows_use(unit: dict[str, object]) -> None:
    resources = unit["Resources"]
    assert isinstance(resources, dict)
    table = resources["OffloadTable"]["Properties"]
    keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    [index] = table["GlobalSecondaryIndexes"]
    index_keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}

    assert set(keys.values()) == set(key("any"))
    assert keys["HASH"] == "pk"
    assert {types[name] for name in keys.values()} == {"S"}
    assert index["IndexName"] == FAILURE_INDEX
    assert index_keys == {"HASH": FAILED_ON, "RANGE": "updated_at"}
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}


def test_a_tasks_row_outlives_every_redelivery_and_redrive(unit: dict[str, object]) -> None:
    resources = unit["Resources"]
    assert isinstance(resources, dict)
    variables = resources["OffloadWorkerFunction"]["Properties"]["Environment"]["Variables"]
    dead_letters = resources["OffloadDeadLetterQueue"]["Properties"]

    assert int(variables["OFFLOAD_RETENTION_SECONDS"]) == dead_letters["MessageRetentionPeriod"]


def test_the_command_prints_the_unit_the_library_ships(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from offload_local.cli import main

    assert main(["template-unit"]) == 0

    assert capsys.readouterr().out == UNIT.read_text()
