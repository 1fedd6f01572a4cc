"""Redrive: every message of a dead-letter queue back to the queue it failed from, with its body
and attributes, so every task keeps its id and idempotency holds (a finished task is not run
again). The same code for the console, the CLI and the tests.

On a deployed stack, SQS's own message move task does it. moto has no message move task, so in
the local cloud the messages are moved the way that API does: sent to the source queue, then
deleted from the dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from infra.aws.endpoint import AwsEndpoint
from infra.errors import InfraError
from infra.queues.listing import QueueInfo


def redrive(aws: AwsEndpoint, dead_letter: QueueInfo, target: QueueInfo) -> int:
    """Move every message of the dead-letter queue back to target; how many moved."""
    sqs = aws.client("sqs")
    moved = 0
    for batch in _drain(aws, dead_letter):
        entries = [_resend_entry(str(i), m, target) for i, m in enumerate(batch)]
        result = sqs.send_message_batch(QueueUrl=target.url, Entries=entries)
        sent = {entry["Id"] for entry in result.get("Successful", [])}
        if result.get("Failed"):
            raise InfraError(f"redrive to {target.name} failed: {result['Failed']}")
        sqs.delete_message_batch(
            QueueUrl=dead_letter.url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                for i, m in enumerate(batch)
                if str(i) in sent
            ],
        )
        moved += len(sent)
    return moved


def _drain(aws: AwsEndpoint, queue: QueueInfo) -> Iterator[list[dict[str, Any]]]:
    sqs = aws.client("sqs")
    while True:
        messages = sqs.receive_message(
            QueueUrl=queue.url,
            MaxNumberOfMessages=10,
            VisibilityTimeout=60,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        yield messages


def _resend_entry(entry_id: str, message: dict[str, Any], target: QueueInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": entry_id, "MessageBody": message["Body"]}
    attributes = {
        name: {k: v for k, v in value.items() if v not in ([], None)}
        for name, value in message.get("MessageAttributes", {}).items()
    }
    if attributes:
        entry["MessageAttributes"] = attributes
    system = message.get("Attributes", {})
    if target.name.endswith(".fifo"):
        entry["MessageGroupId"] = system.get("MessageGroupId", "redrive")
        if "MessageDeduplicationId" in system:
            entry["MessageDeduplicationId"] = system["MessageDeduplicationId"]
    return entry


# On a deployed stack


def dead_letter_queue_arn(cloudformation: Any, sqs: Any, stack_name: str) -> str:
    stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    url = outputs.get("DeadLetterQueueUrl")
    if not url:
        raise LookupError(f"stack {stack_name} has no DeadLetterQueueUrl output")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    arn: str = attributes["Attributes"]["QueueArn"]
    return arn


def start_redrive(cloudformation: Any, sqs: Any, stack_name: str) -> str:
    """Start moving every message of the stack's DLQ back to its source; returns the task
    handle (`aws sqs list-message-move-tasks --source-arn ...` follows its progress)."""
    arn = dead_letter_queue_arn(cloudformation, sqs, stack_name)
    # Without DestinationArn, SQS returns each message to the queue it was dead-lettered from.
    handle: str = sqs.start_message_move_task(SourceArn=arn)["TaskHandle"]
    return handle
