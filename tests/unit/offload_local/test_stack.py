"""Creation order and conditions of a stack."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import pytest

from offload_local.errors import InfraError
from offload_local.template.stack import Stack
from offload_local.template.translation import Translated


def stack(resources: dict[str, Any], conditions: dict[str, Any] | None = None) -> Stack:
    translated = Translated(
        resources=resources,
        parameters={"On": {"Type": "String", "Default": "false"}},
        outputs={},
        conditions=conditions or {},
    )
    return Stack.from_template(translated)


def test_resources_come_after_what_they_refer_to() -> None:
    s = stack(
        {
            "Mapping": {
                "Type": "T",
                "Properties": {"F": {"Ref": "Function"}, "Q": {"Fn::GetAtt": ["Queue", "Arn"]}},
            },
            "Function": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${Role.Arn}"}}},
            "Role": {"Type": "T"},
            "Queue": {"Type": "T", "DependsOn": "Dlq"},
            "Dlq": {"Type": "T"},
        }
    )

    order = [r.logical_id for r in s.resources()]

    assert order.index("Role") < order.index("Function") < order.index("Mapping")
    assert order.index("Dlq") < order.index("Queue") < order.index("Mapping")


def test_a_cycle_is_reported_with_the_resources_in_it() -> None:
    s = stack(
        {
            "A": {"Type": "T", "DependsOn": "B"},
            "B": {"Type": "T", "Properties": {"X": {"Fn::GetAtt": ["C", "Arn"]}}},
            "C": {"Type": "T", "Properties": {"X": {"Ref": "A"}}},
            "D": {"Type": "T", "DependsOn": "A"},
        }
    )

    with pytest.raises(InfraError) as raised:
        list(s.resources())

    message = str(raised.value)
    assert message.startswith("circular dependency between resources: ")
    cycle = message.split(": ", 1)[1].removesuffix(" (each needs the next)").split(" -> ")
    # Each needs the next, the first and last the same: A, B, C in some rotation; not D.
    assert cycle[0] == cycle[-1]
    assert sorted(cycle[:-1]) == ["A", "B", "C"]
    needs = {"A": "B", "B": "C", "C": "A"}
    assert all(needs[a] == b for a, b in pairwise(cycle))


def test_resources_whose_condition_is_false_are_skipped() -> None:
    s = stack(
        {"Kept": {"Type": "T"}, "Skipped": {"Type": "T", "Condition": "IsOn"}},
        {"IsOn": {"Fn::Equals": [{"Ref": "On"}, "true"]}},
    )

    assert [r.logical_id for r in s.resources()] == ["Kept"]


def test_pseudo_parameters() -> None:
    pseudo = stack({}).pseudo_parameters

    assert pseudo["AWS::AccountId"] == "123456789012"
    assert pseudo["AWS::Partition"] == "aws"
    assert pseudo["AWS::URLSuffix"] == "amazonaws.com"
    assert pseudo["AWS::StackName"] == "local"
    assert pseudo["AWS::StackId"].startswith("arn:aws:cloudformation:us-east-1:123456789012:")
