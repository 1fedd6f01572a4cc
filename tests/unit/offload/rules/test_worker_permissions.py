"""E9106: the worker may delay a failed task's redelivery and dead-letter a hopeless one."""

from __future__ import annotations

from tests.unit.offload.rules.templates import findings, line_of, properties, sound, variables

RULE = "E9106"


def test_the_sqs_event_role_alone_cannot_change_visibility() -> None:
    # SAM's SQS event attaches AWSLambdaSQSQueueExecutionRole: receive and delete, no more.
    template = sound("sam")
    properties(template, "Worker")["Policies"].pop(0)

    [finding] = findings(template, RULE)

    assert finding.message == (
        "Worker's role WorkerRole may not sqs:ChangeMessageVisibility on Tasks: a failed task "
        "would come back after the queue's whole VisibilityTimeout, not its backoff. Grant "
        "sqs:ChangeMessageVisibility on Tasks's ARN (SAM: SQSPollerPolicy with QueueName: "
        "!GetAtt Tasks.QueueName)"
    )
    assert finding.line == line_of(template, "Policies", after="Worker")


def test_a_worker_that_cannot_send_to_its_dead_letter_queue_is_an_error() -> None:
    template = sound("cloudformation")
    properties(template, "WorkerRole")["Policies"][0]["PolicyDocument"]["Statement"].pop(1)

    [finding] = findings(template, RULE)

    assert finding.message == (
        "Worker's role WorkerRole may not sqs:SendMessage to DeadLetters, its dead-letter "
        "queue: a task that can never succeed would be retried until SQS moves it, without its "
        "reason. Grant sqs:SendMessage on DeadLetters's ARN (SAM: SQSSendMessagePolicy with "
        "QueueName: !GetAtt DeadLetters.QueueName)"
    )
    assert finding.line == line_of(template, "Role", after="Worker")


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
