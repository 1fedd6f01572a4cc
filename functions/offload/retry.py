"""When a retryable failure comes back: capped exponential backoff with full jitter, applied by
changing the message's visibility timeout (SQS has no per-message delay for redeliveries)."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from mypy_boto3_sqs.client import SQSClient

logger = logging.getLogger(__name__)

#: SQS's largest visibility timeout.
MAX_VISIBILITY_SECONDS = 12 * 60 * 60


@dataclass(frozen=True)
class Backoff:
    """Delay before attempt n+1 is random in [0, min(cap, base * 2**(n-1))] ("full jitter")."""

    base_seconds: float = 2.0
    cap_seconds: float = 300.0

    def delay(self, attempt: int, rand: Callable[[], float] = random.random) -> int:
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(attempt - 1, 0))
        # Never zero: a zero timeout would hand the message straight back to a poller.
        return max(1, min(MAX_VISIBILITY_SECONDS, int(ceiling * rand() + 0.5)))


class Visibility(Protocol):
    """Decides when a record that was not deleted may be delivered again."""

    def delay(self, record: SQSRecord, seconds: int) -> None: ...


class SqsVisibility:
    def __init__(self, client: Callable[[], SQSClient]) -> None:
        self._client = client

    def delay(self, record: SQSRecord, seconds: int) -> None:
        try:
            self._client().change_message_visibility(
                QueueUrl=queue_url(record.event_source_arn),
                ReceiptHandle=record.receipt_handle,
                VisibilityTimeout=seconds,
            )
        except Exception:
            # Not fatal: the queue's own visibility timeout still brings the message back.
            logger.warning(
                "could not change the visibility of %s", record.message_id, exc_info=True
            )


def queue_url(queue_arn: str) -> str:
    """SQS accepts a queue's URL built from its ARN; no GetQueueUrl call (or permission)."""
    _, partition, _, region, account, name = queue_arn.split(":", 5)
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"
