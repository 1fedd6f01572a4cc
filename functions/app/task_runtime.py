"""The offload pieces this application runs with, built from settings and cached clients."""

from __future__ import annotations

from datetime import timedelta

from app import aws
from app.settings import get_settings
from app.table import table_name
from offload.dead_letter import SqsDeadLetters
from offload.idempotency import Idempotency
from offload.payloads import S3PayloadStore
from offload.queue import SqsTaskQueue
from offload.retry import SqsVisibility
from offload.runner import RunPolicy
from offload.status import DynamoStatusStore

#: Status rows outlive the longest path through the system: retention plus a redrive.
STATUS_RETENTION = timedelta(days=14)


def payload_store() -> S3PayloadStore:
    # Large arguments share the upload bucket, under a prefix its lifecycle rule expires.
    return S3PayloadStore(bucket=lambda: get_settings().UPLOAD_BUCKET_NAME, client=aws.s3)


def task_queue() -> SqsTaskQueue:
    settings = get_settings()
    return SqsTaskQueue(
        settings.TASK_QUEUE_URL,
        aws.sqs(),
        max_message_bytes=settings.TASK_MESSAGE_MAX_BYTES,
        payloads=payload_store(),
    )


def status_store() -> DynamoStatusStore:
    return DynamoStatusStore(table=table_name, client=aws.dynamodb, retention=STATUS_RETENTION)


def dead_letters() -> SqsDeadLetters:
    return SqsDeadLetters(queue_url=lambda: get_settings().DEAD_LETTER_QUEUE_URL, client=aws.sqs)


def _idempotency_table() -> str:
    name = get_settings().IDEMPOTENCY_TABLE_NAME
    if not name:
        raise RuntimeError("IDEMPOTENCY_TABLE_NAME is not set")
    return name


def idempotency() -> Idempotency:
    return Idempotency(
        table=_idempotency_table,
        client=aws.dynamodb,
        expires_after_seconds=lambda: get_settings().IDEMPOTENCY_EXPIRES_SECONDS,
    )


def visibility() -> SqsVisibility:
    return SqsVisibility(client=aws.sqs)


def run_policy() -> RunPolicy:
    return RunPolicy(max_attempts=get_settings().TASK_MAX_ATTEMPTS)
