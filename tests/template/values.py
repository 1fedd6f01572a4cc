"""Template values as CloudFormation would compute them, offline, for the template's tests.

The evaluation is the local cloud's own (offload_local.template.intrinsics, what the local cloud
provisions with): chosen parameter values, the pseudo parameters of a sample stack, and resources
left symbolic, `<TaskQueue>` for a Ref and `<TaskQueue.Arn>` for a Fn::GetAtt. That is enough to
compare ARNs and to do the arithmetic CloudFormation cannot (visibility timeout vs timeout). What
is here besides is choosing the parameter values an invariant must hold at.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from offload_local.template.intrinsics import SymbolicAttributes, as_text
from offload_local.template.stack import Stack
from offload_local.template.translation import DEFAULT_REGION, Translated

if TYPE_CHECKING:
    from collections.abc import Mapping

PARTITION = "aws"
REGION = DEFAULT_REGION
STACK_NAME = "fastapi-offload"

#: What a deployer must choose (no default on purpose), with a value for the tests.
REQUIRED_PARAMETERS = {"SenderEmail": "sender@example.com"}


def resolve(value: Any, parameters: Mapping[str, str], translated: Translated | None = None) -> Any:
    """The value with its intrinsics resolved; `translated` supplies conditions and mappings
    (Fn::If, Fn::FindInMap), without which they are an IntrinsicError."""
    source = translated or Translated(resources={}, parameters={}, outputs={})
    stack = Stack(translated=source, parameters=dict(parameters), name=STACK_NAME)
    return stack.resolver(SymbolicAttributes()).resolve(value)


def render(value: Any, parameters: Mapping[str, str], translated: Translated | None = None) -> str:
    """The string CloudFormation would produce, with resources shown as <Logical>/<Logical.Attr>."""
    return as_text(resolve(value, parameters, translated))


def as_int(value: Any, parameters: Mapping[str, str], what: str) -> int:
    """`render` a value that CloudFormation will read as an integer; fail saying what it was."""
    text = render(value, parameters)
    try:
        return int(text)
    except ValueError:
        raise AssertionError(
            f"{what} evaluates to {text!r} with {dict(parameters)}, not an integer"
        ) from None


def default_parameters(translated: Translated) -> dict[str, str]:
    """Parameter values of a `sam deploy` that overrides only what it must."""
    return {
        name: as_text(spec["Default"]) if "Default" in spec else REQUIRED_PARAMETERS[name]
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
                names |= {n for n in translated.parameters if "${" + n + "}" in template}
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
        raise AssertionError(
            f"parameter {name} has no {', '.join(missing)}: an invariant that depends on it "
            f"cannot be shown to hold for every value a deployer may pass"
        )
    return sorted({str(spec[key]) for key in ("Default", "MinValue", "MaxValue")}, key=float)
