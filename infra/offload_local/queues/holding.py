"""A queue's messages received to look at or move, not to consume.

Each receive hides what it returned for a while, so the next one reaches further into the
queue (with a zero timeout the same first messages come back every time); what the caller does
not delete is made visible again with `release`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

#: SQS hands out at most ten messages a receive, and takes ten entries a batch.
BATCH = 10


def receive(
    sqs: Any, url: str, hide_seconds: int, limit: int | None = None
) -> Iterator[list[dict[str, Any]]]:
    """The queue's messages, a receive at a time, each one once, with their attributes; until a
    receive brings nothing new, or `limit` messages came."""
    seen: set[str] = set()
    while limit is None or len(seen) < limit:
        wanted = BATCH if limit is None else min(BATCH, limit - len(seen))
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=wanted,
            VisibilityTimeout=hide_seconds,
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        fresh = [m for m in messages if m["MessageId"] not in seen]
        if not fresh:
            return
        seen.update(m["MessageId"] for m in fresh)
        yield fresh


def release(sqs: Any, url: str, handles: list[str]) -> None:
    """Make received messages visible again now."""
    for start in range(0, len(handles), BATCH):
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": handle, "VisibilityTimeout": 0}
                for i, handle in enumerate(handles[start : start + BATCH])
            ],
        )
