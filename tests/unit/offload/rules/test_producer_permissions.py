"""E9105: the API may put its tasks on their queues and their rows in the table."""

from __future__ import annotations

import pytest

from tests.unit.offload.rules.templates import findings, properties, sound, variables

RULE = "E9105"


def test_send_message_on_another_queue_does_not_count() -> None:
    template = sound("cloudformation")
    statement = properties(template, "ApiRole")["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement["Resource"] = {"Fn::GetAtt": ["DeadLetters", "Arn"]}

    [finding] = findings(template, RULE)

    assert finding.message.startswith("Api sends tasks to Tasks (OFFLOAD_QUEUE_URL)")


def test_a_named_queue_is_checked_like_the_default_one() -> None:
    template = sound("sam")
    template["Resources"]["HeavyTasks"] = {"Type": "AWS::SQS::Queue"}
    variables(template, "Api")["OFFLOAD_HEAVY_QUEUE_URL"] = {"Ref": "HeavyTasks"}

    [finding] = findings(template, RULE)

    assert finding.message.startswith("Api sends tasks to HeavyTasks (OFFLOAD_HEAVY_QUEUE_URL)")


@pytest.mark.parametrize(
    ("resource", "action"),
    [
        ("arn:aws:sqs:*:*:*", "sqs:SendMessage"),
        ({"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:*"}, "sqs:Send*"),
        ("*", "sqs:*"),
    ],
)
def test_wildcards_grant_what_they_match(resource: object, action: str) -> None:
    template = sound("cloudformation")
    statement = properties(template, "ApiRole")["Policies"][0]["PolicyDocument"]["Statement"][0]
    statement.update(Resource=resource, Action=action)

    assert findings(template, RULE) == []


def test_an_unconditional_deny_takes_the_grant_away() -> None:
    template = sound("cloudformation")
    statements = properties(template, "ApiRole")["Policies"][0]["PolicyDocument"]["Statement"]
    statements.append({"Effect": "Deny", "Action": "sqs:*", "Resource": "*"})

    [finding] = findings(template, RULE)

    assert finding.message.startswith("Api sends tasks to Tasks")


def test_a_missing_update_is_named_alone() -> None:
    template = sound("cloudformation")
    statement = properties(template, "ApiRole")["Policies"][0]["PolicyDocument"]["Statement"][1]
    statement["Action"] = ["dynamodb:BatchWriteItem"]

    [finding] = findings(template, RULE)

    assert "may not dynamodb:UpdateItem on it" in finding.message


def test_a_grant_in_a_separate_policy_resource_counts() -> None:
    template = sound("cloudformation")
    document = properties(template, "ApiRole").pop("Policies")[0]["PolicyDocument"]
    template["Resources"]["ApiPolicy"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {
            "PolicyName": "enqueue",
            "PolicyDocument": document,
            "Roles": [{"Ref": "ApiRole"}],
        },
    }

    assert findings(template, RULE) == []


@pytest.mark.parametrize(
    "change",
    [
        # A role from outside the template (SAM then ignores Policies).
        {"Role": "arn:aws:iam::123456789012:role/elsewhere", "Policies": []},
        # A managed policy whose statements the rules do not know.
        {"Policies": ["SomeonesOwnPolicy"]},
        # A SAM policy template the SAM translator does not know.
        {"Policies": [{"NoSuchPolicyTemplate": {"QueueName": "tasks"}}]},
    ],
)
def test_permissions_the_template_does_not_show_are_not_judged(change: dict[str, object]) -> None:
    # Given a producer whose known policies grant nothing, and one thing unknown
    template = sound("sam")
    properties(template, "Api").update(change)

    # Then nothing is reported: the unknown may grant what is needed
    assert findings(template, RULE) == []


def test_a_known_managed_policy_grants_what_it_holds() -> None:
    template = sound("sam")
    properties(template, "Api")["Policies"] = ["AmazonSQSFullAccess", "AmazonDynamoDBFullAccess"]

    assert findings(template, RULE) == []
