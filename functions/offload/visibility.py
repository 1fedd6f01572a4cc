"""When a message that was not deleted may be delivered again: SQS has no per-message delay for
redeliveries, so a retry's backoff is the message's visibility timeout, changed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
    from mypy_boto3_sqs.client import SQSClient

logger = logging.getLogger(__name__)

#: SQS's largest visibility timeout.
MAX_VISIBILITY_SECONDS = 12 * 60 * 60


class Visibility(Protocol):
    """Decides when a record that was not deleted may be delivered again."""

    def delay(self, record: SQSRecord, seconds: int) -> None: ...


class SqsVisibility:
    """Changes the visibility timeout of the delivered message."""

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
