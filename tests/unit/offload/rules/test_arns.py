"""How a policy's Resource is read: the template's queues and tables by their stand-in ARNs,
what cannot be known offline as `*`."""

from __future__ import annotations

from typing import Any

import pytest

from offload.rules.arns import Arns, action_matches, matches
from offload.rules.wiring import Wiring

RESOURCES = {
    "Tasks": {"Type": "AWS::SQS::Queue", "Properties": {}},
    "Named": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "named-tasks"}},
    "Rows": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
    "Simple": {"Type": "AWS::Serverless::SimpleTable", "Properties": {"TableName": "simple"}},
    "Topic": {"Type": "AWS::SNS::Topic", "Properties": {}},
}
ARNS = Arns(Wiring(RESOURCES))
QUEUE = "arn:aws:sqs:us-east-1:123456789012:<Tasks.QueueName>"


@pytest.mark.parametrize(
    ("resource", "arn"),
    [
        ({"Fn::GetAtt": ["Tasks", "Arn"]}, QUEUE),
        ({"Fn::GetAtt": "Tasks.Arn"}, QUEUE),
        (
            {
                "Fn::Sub": [
                    "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${name}",
                    {"name": {"Fn::GetAtt": ["Tasks", "QueueName"]}},
                ]
            },
            QUEUE,
        ),
        ({"Fn::GetAtt": ["Named", "Arn"]}, "arn:aws:sqs:us-east-1:123456789012:named-tasks"),
        ({"Fn::Sub": "${Rows.Arn}"}, "arn:aws:dynamodb:us-east-1:123456789012:table/<Rows>"),
        (
            {"Fn::Join": [":", ["arn:aws:dynamodb:us-east-1:123456789012", "table/simple"]]},
            "arn:aws:dynamodb:us-east-1:123456789012:table/simple",
        ),
    ],
)
def test_a_resource_reads_as_the_arn_it_names(resource: Any, arn: str) -> None:
    assert ARNS.patterns(resource) == [arn]


def test_each_branch_of_an_if_is_a_pattern() -> None:
    resource = {"Fn::If": ["Heavy", {"Fn::GetAtt": ["Tasks", "Arn"]}, "arn:aws:sqs:*:*:other"]}

    assert ARNS.patterns(resource) == [QUEUE, "arn:aws:sqs:*:*:other"]


@pytest.mark.parametrize(
    "resource",
    [{"Ref": "SomeParameter"}, {"Fn::ImportValue": "shared-queue-arn"}, {"Fn::Sub": "${Param}"}],
)
def test_what_cannot_be_known_offline_is_a_wildcard(resource: Any) -> None:
    assert ARNS.patterns(resource) == ["*"]


def test_another_resource_is_never_a_wildcard() -> None:
    [pattern] = ARNS.patterns({"Fn::GetAtt": ["Topic", "TopicArn"]})

    assert not matches(pattern, QUEUE)


def test_a_sub_escape_stays_literal() -> None:
    assert ARNS.patterns({"Fn::Sub": "arn:aws:s3:::${!Literal}"}) == ["arn:aws:s3:::${Literal}"]


@pytest.mark.parametrize(
    ("pattern", "arn", "expected"),
    [
        ("arn:aws:sqs:*:*:<Tasks.QueueName>", QUEUE, True),
        ("arn:aws:sqs:us-east-1:123456789012:<Tasks.QueueNam?>", QUEUE, True),
        ("arn:aws:sqs:us-east-1:123456789012:other", QUEUE, False),
        ("arn:aws:sqs:us-east-1:123456789012:[<]Tasks.QueueName>", QUEUE, False),
    ],
)
def test_resource_wildcards_are_iams(pattern: str, arn: str, expected: bool) -> None:
    assert matches(pattern, arn) is expected


def test_actions_match_whatever_their_case() -> None:
    assert action_matches("SQS:sendmessage*", "sqs:SendMessage")
    assert not action_matches("sqs:Send", "sqs:SendMessage")
