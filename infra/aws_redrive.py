"""Redrive on a deployed stack: SQS's own message move task, from the stack's dead-letter queue
back to its source. Bodies and attributes are kept, so every task keeps its id and idempotency
holds. (The local cloud moves messages itself: moto has no message move task.)"""

from __future__ import annotations

from typing import Any


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
