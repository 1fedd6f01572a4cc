"""E9104: a task that keeps failing ends in a dead-letter queue that keeps it."""

from __future__ import annotations

from tests.unit.offload.rules.templates import findings, properties, sound

RULE = "E9104"


def test_a_task_queue_without_redrive_policy_is_an_error() -> None:
    template = sound("sam")
    del properties(template, "Tasks")["RedrivePolicy"]

    [finding] = findings(template, RULE)

    assert finding.message == (
        "Tasks, Worker's task queue, has no RedrivePolicy: a task that keeps failing would be "
        "retried until the queue's MessageRetentionPeriod drops it. Add a RedrivePolicy with a "
        "deadLetterTargetArn and a maxReceiveCount"
    )


def test_a_redrive_policy_written_as_json_text_is_read() -> None:
    template = sound("cloudformation")
    properties(template, "Tasks")["RedrivePolicy"] = (
        '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dead", "maxReceiveCount": 5}'
    )

    assert findings(template, RULE) == []


def test_a_retention_parameter_is_checked_at_each_value_it_allows() -> None:
    template = sound("sam")
    template["Parameters"]["Retention"] = {
        "Type": "Number",
        "Default": 345600,
        "MinValue": 60,
        "MaxValue": 1209600,
    }
    properties(template, "Tasks")["MessageRetentionPeriod"] = {"Ref": "Retention"}

    [finding] = findings(template, RULE)

    assert "1209600 s against 1209600 s with Retention=1209600" in finding.message
    assert "Retention=345600" not in finding.message
