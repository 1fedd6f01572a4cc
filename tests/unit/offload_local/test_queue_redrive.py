"""Redrive against a deployed stack, with botocore's Stubber standing in for AWS: the call is
what is checked (moto has no message move task)."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from offload_local.queues.listing import QueueInfo
from offload_local.queues.redrive import start_redrive

DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/app-OffloadDeadLetterQueue-abc"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:app-OffloadDeadLetterQueue-abc"


def test_a_dead_letter_queue_is_moved_back_by_sqss_message_move_task() -> None:
    kwargs = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    sqs = boto3.client("sqs", **kwargs)  # type: ignore[call-overload]
    stub = Stubber(sqs)
    # Without a destination: SQS sends each message back to the queue it failed from.
    stub.add_response("start_message_move_task", {"TaskHandle": "handle-1"}, {"SourceArn": DLQ_ARN})
    queue = QueueInfo(
        name="app-OffloadDeadLetterQueue-abc",
        url=DLQ_URL,
        arn=DLQ_ARN,
        visible=2,
        in_flight=0,
        delayed=0,
        sources=("arn:aws:sqs:us-east-1:123456789012:app-OffloadTaskQueue-abc",),
    )

    with stub:
        assert start_redrive(sqs, queue) == "handle-1"

    stub.assert_no_pending_responses()
