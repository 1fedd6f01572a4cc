"""Redrive: messages of a dead-letter queue back to the queue they failed from, with their body
and attributes (and X-Ray trace header), so every task keeps its id and idempotency holds (a
finished task is not run again). Every message, or the ones named by id; and discarding named
ones. The same code for the console, the CLI and the tests.

On a deployed stack, SQS's own message move task moves them all. moto has no message move task,
so in the local cloud, and for chosen messages anywhere, they are moved the way that API does:
sent to the source queue, then deleted from the dead-letter queue. A message is deleted only
once SQS has taken its copy: a refused redrive loses nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from offload_local.aws.endpoint import Clients
from offload_local.errors import InfraError
from offload_local.queues.holding import receive, release
from offload_local.queues.listing import QueueInfo


class RedriveRefusedError(InfraError):
    """Raise when SQS refuses the copy of a message: the message stays where it was."""


def redrive(
    aws: Clients,
    dead_letter: QueueInfo,
    target: QueueInfo,
    message_ids: Collection[str] | None = None,
) -> int:
    """Move the dead-letter queue's messages (all, or those with the given ids) back to
    target; how many moved."""
    sqs = aws.client("sqs")
    moved = 0
    for batch in _drain(aws, dead_letter, message_ids):
        entries = [_resend_entry(str(i), m, target) for i, m in enumerate(batch)]
        try:
            result = sqs.send_message_batch(QueueUrl=target.url, Entries=entries)
        except Exception as exc:
            # Visible again at once: the operator sees them where they were.
            release(sqs, dead_letter.url, [m["ReceiptHandle"] for m in batch])
            raise RedriveRefusedError(
                f"SQS refused the redrive to {target.name}: {exc} (nothing was moved from "
                f"{dead_letter.name}; {moved} message(s) moved before)"
            ) from exc
        sent = {entry["Id"] for entry in result.get("Successful", [])}
        if sent:
            sqs.delete_message_batch(
                QueueUrl=dead_letter.url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(batch)
                    if str(i) in sent
                ],
            )
        moved += len(sent)
        if result.get("Failed"):
            release(
                sqs,
                dead_letter.url,
                [m["ReceiptHandle"] for i, m in enumerate(batch) if str(i) not in sent],
            )
            reasons = "; ".join(
                f"{f.get('Code')}: {f.get('Message', '')}".rstrip(": ") for f in result["Failed"]
            )
            raise RedriveRefusedError(
                f"SQS refused {len(result['Failed'])} message(s) to {target.name}: {reasons} "
                f"(they stay in {dead_letter.name}; {moved} moved)"
            )
    return moved


def discard(aws: Clients, queue: QueueInfo, message_ids: Collection[str]) -> int:
    """Delete the messages with the given ids from the queue; how many were deleted."""
    sqs = aws.client("sqs")
    deleted = 0
    for batch in _drain(aws, queue, message_ids):
        result = sqs.delete_message_batch(
            QueueUrl=queue.url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)
            ],
        )
        deleted += len(result.get("Successful", []))
    return deleted


def _drain(
    aws: Clients, queue: QueueInfo, message_ids: Collection[str] | None = None
) -> Iterator[list[dict[str, Any]]]:
    """Batches of the queue's messages, held invisible while the caller moves them. With ids,
    only those messages; the others seen on the way are made visible again at the end."""
    sqs = aws.client("sqs")
    wanted = set(message_ids) if message_ids is not None else None
    if wanted is not None and not wanted:
        return
    passed: list[str] = []
    seen: set[str] = set()
    try:
        for fresh in receive(sqs, queue.url, hide_seconds=60):
            seen.update(m["MessageId"] for m in fresh)
            if wanted is None:
                yield fresh
                continue
            passed += [m["ReceiptHandle"] for m in fresh if m["MessageId"] not in wanted]
            chosen = [m for m in fresh if m["MessageId"] in wanted]
            if chosen:
                yield chosen
            if not wanted - seen:
                return
    finally:
        release(sqs, queue.url, passed)


def _resend_entry(entry_id: str, message: dict[str, Any], target: QueueInfo) -> dict[str, Any]:
    entry: dict[str, Any] = {"Id": entry_id, "MessageBody": message["Body"]}
    attributes = {
        name: {k: v for k, v in value.items() if v not in ([], None)}
        for name, value in message.get("MessageAttributes", {}).items()
    }
    if attributes:
        entry["MessageAttributes"] = attributes
    system = message.get("Attributes", {})
    if system.get("AWSTraceHeader"):
        # The redriven run stays linked to the request that queued the task.
        entry["MessageSystemAttributes"] = {
            "AWSTraceHeader": {"DataType": "String", "StringValue": system["AWSTraceHeader"]}
        }
    if target.name.endswith(".fifo"):
        entry["MessageGroupId"] = system.get("MessageGroupId", "redrive")
        if "MessageDeduplicationId" in system:
            entry["MessageDeduplicationId"] = system["MessageDeduplicationId"]
    return entry


# On a deployed stack


def start_redrive(sqs: Any, dead_letter: QueueInfo) -> str:
    """Start moving every message of a dead-letter queue back to the queue it failed from
    (SQS's message move task); returns the task handle (`aws sqs list-message-move-tasks
    --source-arn ...` follows its progress)."""
    # Without DestinationArn, SQS returns each message to the queue it was dead-lettered from.
    handle: str = sqs.start_message_move_task(SourceArn=dead_letter.arn)["TaskHandle"]
    return handle
