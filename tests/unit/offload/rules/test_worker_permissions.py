"""E9106: the worker may delay a failed task's redelivery and dead-letter a hopeless one."""

from __future__ import annotations

from tests.unit.offload.rules.templates import findings, properties, sound, variables

RULE = "E9106"


def test_without_a_dead_letter_variable_the_redrive_target_is_the_dead_letter_queue() -> None:
    template = sound("cloudformation")
    del variables(template, "Worker")["OFFLOAD_DEAD_LETTER_QUEUE_URL"]
    properties(template, "WorkerRole")["Policies"][0]["PolicyDocument"]["Statement"].pop(1)

    [finding] = findings(template, RULE)

    assert "may not sqs:SendMessage to DeadLetters" in finding.message


def test_a_conditional_allow_counts_as_a_grant() -> None:
    # Conditions are not evaluated: the rule reports only what the role surely lacks.
    template = sound("cloudformation")
    statement = properties(template, "WorkerRole")["Policies"][0]["PolicyDocument"]["Statement"][1]
    statement["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}

    assert findings(template, RULE) == []
