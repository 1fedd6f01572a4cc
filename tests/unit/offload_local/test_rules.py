"""The Rules section: assertions on parameter values, evaluated as CloudFormation does."""

from __future__ import annotations

from typing import Any

import pytest

from offload_local.errors import IntrinsicError, ParameterError
from offload_local.template.stack import Stack
from offload_local.template.translation import Translated

PARAMETERS = {
    "Issuer": {"Type": "String", "Default": ""},
    "Audience": {"Type": "String", "Default": ""},
    "Stage": {"Type": "String", "Default": "dev"},
    "Zones": {"Type": "CommaDelimitedList", "Default": "a,b"},
}
# The shape of template.yaml's rule: both set, or both empty.
TOGETHER = {
    "IssuerWithAudience": {
        "Assertions": [
            {
                "Assert": {
                    "Fn::Or": [
                        {
                            "Fn::And": [
                                {"Fn::Equals": [{"Ref": "Issuer"}, ""]},
                                {"Fn::Equals": [{"Ref": "Audience"}, ""]},
                            ]
                        },
                        {
                            "Fn::And": [
                                {"Fn::Not": [{"Fn::Equals": [{"Ref": "Issuer"}, ""]}]},
                                {"Fn::Not": [{"Fn::Equals": [{"Ref": "Audience"}, ""]}]},
                            ]
                        },
                    ]
                },
                "AssertDescription": "Issuer and Audience are set together.",
            }
        ]
    }
}


def stack(rules: dict[str, Any], overrides: dict[str, str] | None = None) -> Stack:
    translated = Translated(resources={}, parameters=PARAMETERS, outputs={}, rules=rules)
    return Stack.from_template(translated, overrides or {})


@pytest.mark.parametrize("overrides", [{}, {"Issuer": "https://id.example.com", "Audience": "api"}])
def test_a_rule_that_holds_lets_the_stack_be(overrides: dict[str, str]) -> None:
    assert stack(TOGETHER, overrides).parameters["Issuer"] == overrides.get("Issuer", "")


def test_a_failed_assertion_refuses_the_stack_with_its_description() -> None:
    with pytest.raises(ParameterError, match="IssuerWithAudience: Issuer and Audience are set"):
        stack(TOGETHER, {"Issuer": "https://id.example.com"})


def test_a_rule_whose_condition_is_false_is_skipped() -> None:
    rules = {
        "ProdOnly": {
            "RuleCondition": {"Fn::Equals": [{"Ref": "Stage"}, "prod"]},
            "Assertions": [{"Assert": {"Fn::Equals": [{"Ref": "Audience"}, "x"]}}],
        }
    }

    stack(rules)
    with pytest.raises(ParameterError, match="ProdOnly: an assertion failed"):
        stack(rules, {"Stage": "prod"})


@pytest.mark.parametrize(
    ("assertion", "holds"),
    [
        ({"Fn::Contains": [["dev", "prod"], {"Ref": "Stage"}]}, True),
        ({"Fn::Contains": [["prod"], {"Ref": "Stage"}]}, False),
        ({"Fn::EachMemberEquals": [{"Ref": "Zones"}, "a"]}, False),
        ({"Fn::EachMemberIn": [{"Ref": "Zones"}, ["a", "b", "c"]]}, True),
        ({"Fn::EachMemberIn": [{"Ref": "Zones"}, ["a"]]}, False),
    ],
)
def test_rule_functions(assertion: dict[str, Any], holds: bool) -> None:
    rules = {"R": {"Assertions": [{"Assert": assertion, "AssertDescription": "no"}]}}

    if holds:
        stack(rules)
    else:
        with pytest.raises(ParameterError, match="R: no"):
            stack(rules)


def test_functions_that_read_an_account_are_refused() -> None:
    rules = {"R": {"Assertions": [{"Assert": {"Fn::Contains": [{"Fn::RefAll": "x"}, "a"]}}]}}

    with pytest.raises(IntrinsicError, match="Fn::RefAll"):
        stack(rules)
