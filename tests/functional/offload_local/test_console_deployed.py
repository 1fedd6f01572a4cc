"""The console against a deployed stack, read as the operator reads it (CloudFormation's outputs
and resources, then each service), with moto standing in for the account."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws

from offload.lifecycle import FAILURE_INDEX
from offload_local.webconsole import dead_letters, overview, tasks
from offload_local.webconsole.stack import ConsoleError, Target, deployed_target
from tests.moto_aws import REGION, use_fake_credentials

# The parts of a stack the console reads, named as the template unit names them, as a plain
# CloudFormation stack (moto's CloudFormation has no alarms: the local cloud's browser tests
# show those). The console finds the table through the worker's configuration.
STACK = {
    "Resources": {
        "OffloadDeadLetterQueue": {"Type": "AWS::SQS::Queue"},
        "OffloadTaskQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["OffloadDeadLetterQueue", "Arn"]},
                    "maxReceiveCount": 5,
                }
            },
        },
        "OffloadTable": {
            "Type": "AWS::DynamoDB::Table",
            "Properties": {
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [
                    {"AttributeName": n, "AttributeType": "S"}
                    for n in ("pk", "sk", "failed_on", "updated_at")
                ],
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "sk", "KeyType": "RANGE"},
                ],
                "GlobalSecondaryIndexes": [
                    {
                        "IndexName": FAILURE_INDEX,
                        "KeySchema": [
                            {"AttributeName": "failed_on", "KeyType": "HASH"},
                            {"AttributeName": "updated_at", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            },
        },
        "OffloadWorkerRole": {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            },
        },
        "OffloadWorkerFunction": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Runtime": "python3.13",
                "Handler": "worker.handler",
                "Role": {"Fn::GetAtt": ["OffloadWorkerRole", "Arn"]},
                "Code": {"ZipFile": "def handler(event, context):\n    return {}\n"},
                "Environment": {
                    "Variables": {
                        "OFFLOAD_TABLE_NAME": {"Ref": "OffloadTable"},
                        "OFFLOAD_DEAD_LETTER_QUEUE_URL": {"Ref": "OffloadDeadLetterQueue"},
                    }
                },
            },
        },
    },
}


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[Target]:
    use_fake_credentials(monkeypatch)
    with mock_aws():
        boto3.client("cloudformation", region_name=REGION).create_stack(
            StackName="app", TemplateBody=json.dumps(STACK)
        )
        yield deployed_target("app", REGION)


def test_queues_and_failures_of_the_stack(target: Target) -> None:
    queues = {q["name"]: q for q in overview.queues(target)}

    assert len(queues) == 2
    [dlq] = [q for q in queues.values() if q["dead_letter_queue"]]
    [source] = [q for q in queues.values() if not q["dead_letter_queue"]]
    assert source["dead_letters_go_to"] == dlq["name"]
    assert overview.alarms(target) == []
    assert tasks.recent_failures(target) == []


def test_the_tasks_are_read_from_the_table_the_worker_is_configured_with(target: Target) -> None:
    [table] = target.view().of_type("AWS::DynamoDB::Table").values()
    now = datetime.now(UTC)
    target.client("dynamodb").put_item(
        TableName=table,
        Item={
            "pk": {"S": "TASK#t1"},
            "sk": {"S": "STATUS"},
            "id": {"S": "t1"},
            "task": {"S": "note"},
            "status": {"S": "dead_lettered"},
            "attempts": {"N": "5"},
            "failed_on": {"S": now.date().isoformat()},
            "updated_at": {"S": now.isoformat()},
        },
    )

    [failure] = tasks.recent_failures(target)
    page = tasks.task_page(target, "t1")

    assert (failure["id"], failure["status"], failure["attempts"]) == ("t1", "dead_lettered", 5)
    assert page["task"]["task"] == "note"


def test_one_dead_letter_is_redriven_on_a_deployed_stack(target: Target) -> None:
    sqs = target.client("sqs")
    dlq_url = target.view().of_type("AWS::SQS::Queue")["OffloadDeadLetterQueue"]
    kept = sqs.send_message(QueueUrl=dlq_url, MessageBody="{not json")["MessageId"]
    chosen = sqs.send_message(QueueUrl=dlq_url, MessageBody='{"v":1,"id":"a","task":"t"}')[
        "MessageId"
    ]
    [queue] = dead_letters.dead_letters(target)

    result = dead_letters.redrive_messages(target, queue["name"], [chosen])

    assert result["moved"] == 1
    assert {m["message_id"]: m["body_kind"] for m in queue["messages"]} == {
        kept: "not a task envelope: the body is not JSON",
        chosen: "task envelope",
    }
    [left] = dead_letters.dead_letters(target)
    assert [m["message_id"] for m in left["messages"]] == [kept]
    with pytest.raises(ConsoleError, match="no longer in"):
        dead_letters.redrive_messages(target, queue["name"], [chosen])


def test_a_stack_that_is_not_there(target: Target) -> None:
    with pytest.raises(ConsoleError, match="There is no stack 'nope'") as raised:
        deployed_target("nope", REGION).view()

    assert raised.value.status == 404
