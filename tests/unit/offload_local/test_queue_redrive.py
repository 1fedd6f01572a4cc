"""Redrive against a deployed stack, with botocore's Stubber standing in for AWS: the calls and
their order are what is checked (moto has no message move task)."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from offload_local.queues.redrive import start_redrive

DLQ_URL = "https://sqs.us-east-1.amazonaws.com/123456789012/app-DeadLetterQueue-abc"
DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:app-DeadLetterQueue-abc"


def clients() -> tuple[object, object, Stubber, Stubber]:
    kwargs = {"region_name": "us-east-1", "aws_access_key_id": "x", "aws_secret_access_key": "x"}
    cloudformation = boto3.client("cloudformation", **kwargs)  # type: ignore[call-overload]
    sqs = boto3.client("sqs", **kwargs)  # type: ignore[call-overload]
    return cloudformation, sqs, Stubber(cloudformation), Stubber(sqs)


def test_moves_the_stacks_dead_letters_back_to_their_source() -> None:
    cloudformation, sqs, cf_stub, sqs_stub = clients()
    cf_stub.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "app",
                    "CreationTime": "2026-11-27T00:00:00Z",
                    "StackStatus": "CREATE_COMPLETE",
                    "Outputs": [{"OutputKey": "DeadLetterQueueUrl", "OutputValue": DLQ_URL}],
                }
            ]
        },
        {"StackName": "app"},
    )
    sqs_stub.add_response(
        "get_queue_attributes",
        {"Attributes": {"QueueArn": DLQ_ARN}},
        {"QueueUrl": DLQ_URL, "AttributeNames": ["QueueArn"]},
    )
    sqs_stub.add_response(
        "start_message_move_task", {"TaskHandle": "handle-1"}, {"SourceArn": DLQ_ARN}
    )

    with cf_stub, sqs_stub:
        assert start_redrive(cloudformation, sqs, "app") == "handle-1"

    cf_stub.assert_no_pending_responses()
    sqs_stub.assert_no_pending_responses()


def test_a_stack_without_the_output_is_a_clear_error() -> None:
    cloudformation, sqs, cf_stub, _ = clients()
    cf_stub.add_response(
        "describe_stacks",
        {
            "Stacks": [
                {
                    "StackName": "other",
                    "CreationTime": "2026-11-27T00:00:00Z",
                    "StackStatus": "CREATE_COMPLETE",
                }
            ]
        },
    )

    with cf_stub, pytest.raises(LookupError, match="no DeadLetterQueueUrl output"):
        start_redrive(cloudformation, sqs, "other")
