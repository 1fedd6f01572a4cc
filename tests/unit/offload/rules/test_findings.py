"""Each rule's error says what is wrong, what it would cost and what to change, and points at the
line to change: a sound template with one piece broken gets one finding, whole.

The rules' own modules test which templates each rule judges and how; the text a user reads for
each error, and where cfn-lint shows it, are here, in one table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from offload.rules.check import Finding
from tests.unit.offload.rules.templates import findings, line_of, properties, sound

Template = dict[str, Any]


def no_function_response_types(template: Template) -> None:
    del properties(template, "WorkerTasks")["FunctionResponseTypes"]


def both_queues_at_the_default_retention(template: Template) -> None:
    # SQS keeps a message 4 days unless told otherwise
    del properties(template, "Tasks")["MessageRetentionPeriod"]
    del properties(template, "DeadLetters")["MessageRetentionPeriod"]


def a_queue_that_hides_a_message_5_s(template: Template) -> None:
    # from a 30 s worker
    properties(template, "Tasks")["VisibilityTimeout"] = 5


def no_send_message_policy(template: Template) -> None:
    properties(template, "Api")["Policies"].pop(0)


def only_a_read_policy_on_the_table(template: Template) -> None:
    properties(template, "Api")["Policies"][1] = {
        "DynamoDBReadPolicy": {"TableName": {"Ref": "Rows"}}
    }


def only_the_sqs_event_role(template: Template) -> None:
    # SAM's SQS event attaches AWSLambdaSQSQueueExecutionRole: receive and delete, no more.
    properties(template, "Worker")["Policies"].pop(0)


def no_send_to_the_dead_letter_queue(template: Template) -> None:
    properties(template, "WorkerRole")["Policies"][0]["PolicyDocument"]["Statement"].pop(1)


@dataclass(frozen=True)
class Broken:
    """A sound template of `shape` that `breaks` changes, and its one finding: the rule, the
    line of the key `at` names (the first after the second key, if given), the message."""

    shape: str
    breaks: Callable[[Template], None]
    rule: str
    at: tuple[str, str | None]
    message: str


ERRORS = {
    "a_mapping_without_function_response_types": Broken(
        "cloudformation",
        no_function_response_types,
        "E9103",
        ("Properties", "WorkerTasks"),
        "WorkerTasks feeds Worker from Tasks without FunctionResponseTypes: "
        "[ReportBatchItemFailures]: Lambda would ignore the worker's batchItemFailures and "
        "delete a failed task with its batch. Add FunctionResponseTypes: [ReportBatchItemFailures]",
    ),
    "a_dead_letter_queue_keeping_messages_as_long_as_its_source": Broken(
        "cloudformation",
        both_queues_at_the_default_retention,
        "E9104",
        ("Properties", "DeadLetters"),
        "DeadLetters keeps messages no longer than its source queue Tasks "
        "(MessageRetentionPeriod 345600 s against 345600 s): a task moved there keeps its first "
        "enqueue time and would expire soon after. Give DeadLetters a longer "
        "MessageRetentionPeriod (at most 1209600), or Tasks a shorter one",
    ),
    "a_visibility_timeout_under_6x_the_timeout": Broken(
        "cloudformation",
        a_queue_that_hides_a_message_5_s,
        "E9102",
        ("VisibilityTimeout", None),
        "Tasks's VisibilityTimeout is under 6x Worker's Timeout: 5 s against a Timeout of "
        "30 s (needs 180). SQS would deliver a task again while the worker may still run it. "
        "Raise Tasks's VisibilityTimeout to at least 6x the Timeout",
    ),
    "a_sam_producer_without_send_message_on_its_queue": Broken(
        "sam",
        no_send_message_policy,
        "E9105",
        ("OFFLOAD_QUEUE_URL", None),
        "Api sends tasks to Tasks (OFFLOAD_QUEUE_URL) but its role ApiRole may not "
        "sqs:SendMessage there: every request adding a task would fail. Grant sqs:SendMessage "
        "on Tasks's ARN (SAM: SQSSendMessagePolicy with QueueName: !GetAtt Tasks.QueueName)",
    ),
    "a_producer_that_cannot_write_its_tasks_rows": Broken(
        "sam",
        only_a_read_policy_on_the_table,
        "E9105",
        ("OFFLOAD_TABLE_NAME", None),
        "Api records its tasks in Rows (OFFLOAD_TABLE_NAME) but its role ApiRole may not "
        "dynamodb:BatchWriteItem, dynamodb:UpdateItem on it: requests adding tasks would fail. "
        "Grant dynamodb:BatchWriteItem, dynamodb:UpdateItem on Rows's ARN",
    ),
    "the_sqs_event_role_alone_cannot_change_visibility": Broken(
        "sam",
        only_the_sqs_event_role,
        "E9106",
        ("Policies", "Worker"),
        "Worker's role WorkerRole may not sqs:ChangeMessageVisibility on Tasks: a failed task "
        "would come back after the queue's whole VisibilityTimeout, not its backoff. Grant "
        "sqs:ChangeMessageVisibility on Tasks's ARN (SAM: SQSPollerPolicy with QueueName: "
        "!GetAtt Tasks.QueueName)",
    ),
    "a_worker_that_cannot_send_to_its_dead_letter_queue": Broken(
        "cloudformation",
        no_send_to_the_dead_letter_queue,
        "E9106",
        ("Role", "Worker"),
        "Worker's role WorkerRole may not sqs:SendMessage to DeadLetters, its dead-letter "
        "queue: a task that can never succeed would be retried until SQS moves it, without its "
        "reason. Grant sqs:SendMessage on DeadLetters's ARN (SAM: SQSSendMessagePolicy with "
        "QueueName: !GetAtt DeadLetters.QueueName)",
    ),
}


@pytest.mark.parametrize("broken", ERRORS.values(), ids=ERRORS.keys())
def test_an_error_says_what_to_change_at_the_line_to_change(broken: Broken) -> None:
    template = sound(broken.shape)
    broken.breaks(template)

    found = findings(template, broken.rule)

    key, after = broken.at
    assert found == [Finding(broken.rule, broken.message, line_of(template, key, after=after))]
