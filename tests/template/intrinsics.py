"""Evaluate the few intrinsic functions a translated template uses, offline.

CloudFormation computes `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` at deploy time. The tests
evaluate them here with chosen parameter values, pseudo parameters of a sample account, and
resources left symbolic: `<TaskQueue>` for a Ref, `<TaskQueue.Arn>` for a GetAtt. That is enough
to compare ARNs and to do the arithmetic CloudFormation cannot (visibility timeout vs timeout).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from infra.template.translation import Translated

PARTITION = "aws"
REGION = "us-east-1"
ACCOUNT_ID = "123456789012"

PSEUDO_PARAMETERS = {
    "AWS::Partition": PARTITION,
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT_ID,
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "fastapi-offload",
}

# ${Name} or ${Logical.Attribute}; ${!Literal} is CloudFormation's escape and stays as written.
_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


class EvaluationError(Exception):
    """Raise when a value uses an intrinsic function these helpers do not evaluate."""


def render(value: Any, parameters: Mapping[str, str]) -> str:
    """The string CloudFormation would produce, with resources shown as <Logical>/<Logical.Attr>."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref":
            return _ref(argument, parameters)
        if function == "Fn::GetAtt":
            logical, attribute = argument if isinstance(argument, list) else argument.split(".", 1)
            return f"<{logical}.{attribute}>"
        if function == "Fn::Sub":
            return _sub(argument, parameters)
        if function == "Fn::Join":
            separator, items = argument
            return str(separator).join(render(item, parameters) for item in items)
    raise EvaluationError(f"cannot evaluate {json.dumps(value)}")


def as_int(value: Any, parameters: Mapping[str, str], what: str) -> int:
    """`render` a value that CloudFormation will read as an integer; fail saying what it was."""
    text = render(value, parameters)
    try:
        return int(text)
    except ValueError:
        raise EvaluationError(
            f"{what} evaluates to {text!r} with {dict(parameters)}, not an integer"
        ) from None


#: What a deployer must choose (no default on purpose), with a value for the tests.
REQUIRED_PARAMETERS = {"SenderEmail": "sender@example.com"}


def default_parameters(translated: Translated) -> dict[str, str]:
    """Parameter values of a `sam deploy` that overrides only what it must."""
    return {
        name: str(spec["Default"]) if "Default" in spec else REQUIRED_PARAMETERS[name]
        for name, spec in translated.parameters.items()
    }


def referenced_parameters(value: Any, translated: Translated) -> set[str]:
    """Names of the template parameters a value depends on (through Ref or Fn::Sub)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for function, argument in value.items():
            if function == "Ref" and argument in translated.parameters:
                names.add(argument)
            elif function == "Fn::Sub":
                template = argument if isinstance(argument, str) else argument[0]
                local = {} if isinstance(argument, str) else argument[1]
                names |= {n for n in _SUB_VARIABLE.findall(template) if n in translated.parameters}
                names |= referenced_parameters(local, translated)
            else:
                names |= referenced_parameters(argument, translated)
    elif isinstance(value, list):
        for item in value:
            names |= referenced_parameters(item, translated)
    return names


def boundary_values(name: str, spec: Mapping[str, Any]) -> list[str]:
    """Default, MinValue and MaxValue of a Number parameter: the values an invariant must hold at.

    A parameter without both bounds admits values no test can enumerate, so that is an error.
    """
    missing = [key for key in ("Default", "MinValue", "MaxValue") if key not in spec]
    if missing:
        raise EvaluationError(
            f"parameter {name} has no {', '.join(missing)}: an invariant that depends on it "
            f"cannot be shown to hold for every value a deployer may pass"
        )
    return sorted({str(spec[key]) for key in ("Default", "MinValue", "MaxValue")}, key=float)


def _ref(name: str, parameters: Mapping[str, str]) -> str:
    if name in PSEUDO_PARAMETERS:
        return PSEUDO_PARAMETERS[name]
    if name in parameters:
        return parameters[name]
    return f"<{name}>"


def _sub(argument: Any, parameters: Mapping[str, str]) -> str:
    template, local = (argument, {}) if isinstance(argument, str) else argument

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in local:
            return render(local[name], parameters)
        if "." in name and name not in PSEUDO_PARAMETERS:
            return f"<{name}>"
        return _ref(name, parameters)

    return _SUB_VARIABLE.sub(replace, str(template))
