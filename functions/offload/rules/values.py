"""Property values as a stack would get them, resolved by cfn-lint itself.

A value may depend on parameters (a Ref, a Fn::Sub ...). cfn-lint's resolution yields it for
each value a deploy may choose: a parameter's AllowedValues, else its Default, MinValue and
MaxValue; or the values of a parameter set (`cfn-lint --parameters`, or the local cloud's own).
Several values are resolved together, so a parameter they share has one value in all of them,
as in a real stack. A value cfn-lint cannot resolve (an import, a resource's attribute) yields
nothing, and a rule then has nothing to judge.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Deployed:
    """The values of some expressions in one deploy, and the parameter values it chose."""

    values: tuple[Any, ...]
    parameters: Mapping[str, Any]

    def numbers(self) -> tuple[int, ...] | None:
        """The values as integers, as CloudFormation reads a Number; None if one is not."""
        try:
            return tuple(int(str(value)) for value in self.values)
        except ValueError:
            return None

    def chosen(self) -> str:
        """` with Name=value, ...` for the parameters this deploy chose, else nothing."""
        if not self.parameters:
            return ""
        return " with " + ", ".join(f"{name}={value}" for name, value in self.parameters.items())


def deployments(cfn: Any, *expressions: Any) -> Iterator[Deployed]:
    """Each combination of the expressions' values a deploy may produce."""
    from cfnlint.jsonschema import CfnTemplateValidator

    # How cfn-lint's own template-wide rules (E1001) build a validator over a template.
    validator = CfnTemplateValidator({}).evolve(cfn=cfn, context=cfn.context)
    parameters = cfn.template.get("Parameters")
    names = set(parameters) if isinstance(parameters, Mapping) else set()
    seen: set[str] = set()
    for values, chosen in _resolve(validator, expressions, ()):
        deployed = Deployed(values, {k: v for k, v in sorted(chosen.items()) if k in names})
        key = repr(deployed)
        if key not in seen:
            seen.add(key)
            yield deployed


def _resolve(
    validator: Any, expressions: Sequence[Any], resolved: tuple[Any, ...]
) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    if not expressions:
        yield resolved, dict(validator.context.ref_values)
        return
    for value, evolved, errors in validator.resolve_value(expressions[0]):
        if errors:
            continue
        # `evolved` remembers the parameter values chosen so far (its context's ref_values).
        yield from _resolve(evolved, expressions[1:], (*resolved, value))
