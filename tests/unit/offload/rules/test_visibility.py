"""E9102: SQS does not hand a task to a second worker while the first may still run it."""

from __future__ import annotations

from tests.unit.offload.rules.templates import findings, properties, sound

RULE = "E9102"


def test_the_services_defaults_count_when_the_template_sets_nothing() -> None:
    # SQS hides a message 30 s by default: too short for a 30 s worker...
    template = sound("cloudformation")
    del properties(template, "Tasks")["VisibilityTimeout"]

    [finding] = findings(template, RULE)

    assert "30 s against a Timeout of 30 s (needs 180)" in finding.message
    # ...and enough for Lambda's default of 3 s.
    del properties(template, "Worker")["Timeout"]
    assert findings(template, RULE) == []


def test_every_value_of_the_timeout_parameter_is_checked() -> None:
    # Given a visibility timeout fixed for the default timeout, 30 s (6x = 180)
    template = sound("sam")
    properties(template, "Tasks")["VisibilityTimeout"] = 180

    [finding] = findings(template, RULE)

    # Then the parameter's maximum, 60 s, is reported; its default and minimum are not
    assert "180 s against a Timeout of 60 s with WorkerTimeout=60 (needs 360)" in finding.message
    assert "WorkerTimeout=30" not in finding.message
    assert "WorkerTimeout=3)" not in finding.message


def test_a_visibility_timeout_from_the_same_parameter_is_checked_with_the_same_value() -> None:
    # "${WorkerTimeout}0" is 10x whatever WorkerTimeout is: never paired with another value.
    template = sound("sam")
    properties(template, "Tasks")["VisibilityTimeout"] = {"Fn::Sub": "${WorkerTimeout}5"}

    assert findings(template, RULE) == []
