"""What the dead-letter queues hold: the daily report an operator reads (a log line and a
metric; the DLQ alarm already fires on the first message, this says how many wait)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient


def dead_letter_counts(urls: Sequence[str], client: Callable[[], SQSClient]) -> dict[str, int]:
    """Messages in each queue (visible and in flight), by queue name."""
    counts: dict[str, int] = {}
    for url in urls:
        attributes = client().get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        counts[url.rstrip("/").rsplit("/", 1)[-1]] = sum(int(v) for v in attributes.values())
    return counts
