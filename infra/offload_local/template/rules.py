"""The template's Rules section: assertions on parameter values, checked as CloudFormation does.

CloudFormation evaluates every rule whose RuleCondition holds (a rule without one always
applies) before it creates anything, and refuses the stack with the AssertDescription of the
first assertion that is false. The local cloud refuses to start in the same way, so a parameter
combination that works here also deploys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from offload_local.errors import IntrinsicError, ParameterError
from offload_local.template.intrinsics import Resolver


def check_rules(rules: Mapping[str, Any], resolver: Resolver) -> None:
    """Raise ParameterError with the AssertDescription of the first failed assertion."""
    for name, rule in rules.items():
        if "RuleCondition" in rule and not _truth(resolver.resolve(rule["RuleCondition"]), name):
            continue
        for assertion in rule.get("Assertions", []):
            if not _truth(resolver.resolve(assertion["Assert"]), name):
                description = assertion.get("AssertDescription") or "an assertion failed"
                raise ParameterError(f"template rule {name}: {description}")


def _truth(value: Any, rule: str) -> bool:
    if isinstance(value, bool):
        return value
    raise IntrinsicError(f"rule {rule}: expected a condition, got {value!r}")


def _strings(value: Any, function: str) -> list[str]:
    if isinstance(value, str):
        # A CommaDelimitedList parameter referenced whole.
        return [value]
    if not isinstance(value, list):
        raise IntrinsicError(f"{function} needs a list of strings, got {value!r}")
    return [str(item) for item in value]


def _contains(resolver: Resolver, arg: Any) -> bool:
    items, value = resolver.pair(arg, "Fn::Contains")
    return str(value) in _strings(items, "Fn::Contains")


def _each_member_equals(resolver: Resolver, arg: Any) -> bool:
    items, value = resolver.pair(arg, "Fn::EachMemberEquals")
    return all(item == str(value) for item in _strings(items, "Fn::EachMemberEquals"))


def _each_member_in(resolver: Resolver, arg: Any) -> bool:
    items, allowed = resolver.pair(arg, "Fn::EachMemberIn")
    permitted = set(_strings(allowed, "Fn::EachMemberIn"))
    return all(item in permitted for item in _strings(items, "Fn::EachMemberIn"))


def _needs_aws(name: str) -> Callable[[Resolver, Any], Any]:
    def refuse(resolver: Resolver, arg: Any) -> Any:
        raise IntrinsicError(
            f"{name} reads AWS-specific parameter types (EC2 ids ...) from an account: "
            "not available locally"
        )

    return refuse


# The functions only the Rules section may use, besides Ref, Fn::Equals, And, Or, Not.
RULE_FUNCTIONS: Mapping[str, Callable[[Resolver, Any], Any]] = {
    "Fn::Contains": _contains,
    "Fn::EachMemberEquals": _each_member_equals,
    "Fn::EachMemberIn": _each_member_in,
    "Fn::RefAll": _needs_aws("Fn::RefAll"),
    "Fn::ValueOf": _needs_aws("Fn::ValueOf"),
    "Fn::ValueOfAll": _needs_aws("Fn::ValueOfAll"),
}
