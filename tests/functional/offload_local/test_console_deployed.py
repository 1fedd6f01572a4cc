"""The console against a deployed stack, read as the operator reads it (CloudFormation's outputs
and resources, then each service), with moto standing in for the account."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from offload_local.webconsole import dead_letters, overview, tasks
from offload_local.webconsole.stack import ConsoleError, Target, deployed_target
from tests.moto_aws import REGION, use_fake_credentials

# The parts of template.yaml the console reads, as a plain CloudFormation stack (moto's
# CloudFormation has no alarms: the local cloud's browser tests show those).
STACK = {
    "Resources": {
        "DeadLetterQueue": {"Type": "AWS::SQS::Queue"},
        "TaskQueue": {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": ["DeadLetterQueue", "Arn"]},
                    "maxReceiveCount": 5,
                }
            },
        },
        "DataTable": {
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
                        "IndexName": "RecentFailures",
                        "KeySchema": [
                            {"AttributeName": "failed_on", "KeyType": "HASH"},
                            {"AttributeName": "updated_at", "KeyType": "RANGE"},
                        ],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                ],
            },
        },
    },
    "Outputs": {
        "DataTableName": {"Value": {"Ref": "DataTable"}},
        "DeadLetterQueueUrl": {"Value": {"Ref": "DeadLetterQueue"}},
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


def test_one_dead_letter_is_redriven_on_a_deployed_stack(target: Target) -> None:
    sqs = target.client("sqs")
    dlq_url = target.view().output("DeadLetterQueueUrl")
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
