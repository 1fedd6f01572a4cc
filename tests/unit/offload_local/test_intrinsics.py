"""Intrinsic functions and conditions, resolved as CloudFormation does."""

from __future__ import annotations

from typing import Any

import pytest

from offload_local.errors import IntrinsicError
from offload_local.template.intrinsics import Resolver, SymbolicAttributes

PSEUDO = {
    "AWS::Region": "us-east-1",
    "AWS::AccountId": "123456789012",
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "local",
}


class FakeResources:
    def ref(self, logical_id: str) -> Any:
        if logical_id == "Queue":
            return "http://aws/123456789012/local-Queue"
        raise IntrinsicError(f"no {logical_id}")

    def get_att(self, logical_id: str, attribute: str) -> Any:
        return f"{logical_id}.{attribute}!"


def resolver(conditions: dict[str, Any] | None = None) -> Resolver:
    return Resolver(
        parameters={"Timeout": "30", "Names": ["a", "b"], "Flag": "true"},
        pseudo=PSEUDO,
        conditions=conditions or {},
        attributes=FakeResources(),
        mappings={"Sizes": {"small": {"Memory": 128}}},
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Timeout"}, "30"),
        ({"Ref": "AWS::Region"}, "us-east-1"),
        ({"Ref": "Queue"}, "http://aws/123456789012/local-Queue"),
        ({"Fn::GetAtt": ["Queue", "Arn"]}, "Queue.Arn!"),
        ({"Fn::GetAtt": "Queue.QueueName"}, "Queue.QueueName!"),
        ({"Fn::Sub": "${Timeout}0"}, "300"),
        ({"Fn::Sub": "arn:${AWS::Partition}:sqs:${AWS::Region}"}, "arn:aws:sqs:us-east-1"),
        ({"Fn::Sub": "${Queue.Arn}/x"}, "Queue.Arn!/x"),
        ({"Fn::Sub": ["${name}-${Timeout}", {"name": {"Ref": "AWS::StackName"}}]}, "local-30"),
        ({"Fn::Sub": "${!Literal}"}, "${Literal}"),
        ({"Fn::Join": ["-", ["a", {"Ref": "Timeout"}]]}, "a-30"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}, "y"),
        ({"Fn::Select": ["0", {"Ref": "Names"}]}, "a"),
        ({"Fn::Sub": "${Names}"}, "a,b"),
        ({"Fn::FindInMap": ["Sizes", "small", "Memory"]}, 128),
        ({"Fn::Base64": "hi"}, "aGk="),
        ([1, {"Ref": "AWS::NoValue"}, 2], [1, 2]),
        ({"Keep": 1, "Drop": {"Ref": "AWS::NoValue"}}, {"Keep": 1}),
        ({"Nested": [{"Ref": "Timeout"}]}, {"Nested": ["30"]}),
    ],
)
def test_resolves(value: Any, expected: Any) -> None:
    assert resolver().resolve(value) == expected


def test_conditions_and_if() -> None:
    r = resolver(
        {
            "IsOn": {"Fn::Equals": [{"Ref": "Flag"}, "true"]},
            "IsOff": {"Fn::Not": [{"Condition": "IsOn"}]},
            "Both": {
                "Fn::And": [{"Condition": "IsOn"}, {"Fn::Equals": ["30", {"Ref": "Timeout"}]}]
            },
            "Either": {"Fn::Or": [{"Condition": "IsOff"}, {"Condition": "Both"}]},
        }
    )

    assert r.condition("IsOn") is True
    assert r.condition("IsOff") is False
    assert r.condition("Both") is True
    assert r.condition("Either") is True
    assert r.resolve({"X": {"Fn::If": ["IsOff", "a", {"Ref": "AWS::NoValue"}]}}) == {}
    assert r.resolve({"Fn::If": ["IsOn", "a", "b"]}) == "a"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Fn::ImportValue": "x"}, "Fn::ImportValue is not supported"),
        ({"Fn::GetAtt": ["Queue"]}, "Fn::GetAtt needs"),
        ({"Ref": "Missing"}, "no Missing"),
        ({"Fn::Select": [5, ["a"]]}, "outside a list"),
        ({"Fn::If": ["Nope", 1, 2]}, "condition Nope is not defined"),
    ],
)
def test_errors_name_the_problem(value: Any, message: str) -> None:
    with pytest.raises(IntrinsicError, match=message):
        resolver().resolve(value)


def test_a_condition_cycle_is_an_error() -> None:
    r = resolver({"A": {"Condition": "B"}, "B": {"Condition": "A"}})

    with pytest.raises(IntrinsicError, match="refers to itself"):
        r.condition("A")


def test_symbolic_resources_read_as_their_names() -> None:
    # What the template tests compare: an ARN built from a resource that does not exist.
    symbolic = Resolver(
        parameters={"Timeout": "30"},
        pseudo=PSEUDO,
        conditions={},
        attributes=SymbolicAttributes(),
    )

    assert symbolic.resolve({"Ref": "Queue"}) == "<Queue>"
    assert symbolic.resolve({"Fn::Sub": "${Bucket.Arn}/uploads/*"}) == "<Bucket.Arn>/uploads/*"
    assert symbolic.resolve({"Fn::Sub": "arn:${AWS::Partition}:sqs:::${Queue}"}) == (
        "arn:aws:sqs:::<Queue>"
    )
