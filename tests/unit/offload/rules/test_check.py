"""check_template: the offload rules alone on one template, for every deploy or for one."""

from __future__ import annotations

from offload.rules.check import check_template
from tests.unit.offload.rules.templates import findings, properties, sound, text, variables


def test_without_parameters_every_value_a_deploy_may_choose_is_checked() -> None:
    template = sound("sam")
    properties(template, "Tasks")["VisibilityTimeout"] = 180

    [finding] = findings(template, "E9102")

    assert "with WorkerTimeout=60" in finding.message


def test_given_parameters_are_the_one_deploy_checked() -> None:
    # Given a visibility timeout that suits WorkerTimeout's default (30) but not its maximum
    template = sound("sam")
    properties(template, "Tasks")["VisibilityTimeout"] = 180

    # Then the default deploy passes, and the one at 45 s is named alone
    assert findings(template, parameters={"WorkerTimeout": "30"}) == []
    [finding] = findings(template, parameters={"WorkerTimeout": "45"})
    assert finding.rule == "E9102"
    assert "180 s against a Timeout of 45 s with WorkerTimeout=45 (needs 270)" in finding.message


def test_findings_come_in_the_templates_line_order() -> None:
    template = sound("cloudformation")
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = "10"
    properties(template, "Tasks")["VisibilityTimeout"] = 5
    del properties(template, "WorkerTasks")["FunctionResponseTypes"]

    found = findings(template)

    assert [f.rule for f in found] == ["E9101", "E9103", "E9102"]
    assert [f.line for f in found] == sorted(f.line for f in found)


def test_an_unreadable_template_is_cfn_lints_own_parse_finding() -> None:
    [finding] = check_template("Resources: [unclosed")

    assert finding.rule == "E0000"


def test_a_finding_reads_as_one_line_with_its_rule_and_line() -> None:
    template = sound("cloudformation")
    properties(template, "Tasks")["VisibilityTimeout"] = 5
    [finding] = check_template(text(template))

    assert str(finding) == f"E9102 (line {finding.line}) {finding.message}"
    assert "\n" not in str(finding)
