"""Template parameters: defaults, overrides (offload_local.template.overrides), and
CloudFormation's constraints.

CloudFormation rejects a stack whose parameters break AllowedValues, AllowedPattern, Min/Max...
The local cloud does the same, so a value that works here also deploys.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from offload_local.errors import ParameterError

ParameterValue = str | list[str]

# Values the local cloud supplies for parameters the template declares without a default: a
# deploy must choose them, a local run has nobody to ask. --parameter-overrides still wins,
# and the value is checked against the parameter's constraints like any other.
LOCAL_VALUES: Mapping[str, str] = {"SenderEmail": "no-reply@example.com"}

_LIST_TYPES = ("CommaDelimitedList", "List<Number>")


def local_values_used(
    declared: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, str],
    local_values: Mapping[str, str] = LOCAL_VALUES,
) -> dict[str, str]:
    """The local values that stand in for missing ones (worth telling the developer)."""
    return {
        name: local_values[name]
        for name, spec in declared.items()
        if name not in overrides and "Default" not in spec and name in local_values
    }


def resolve_parameters(
    declared: Mapping[str, Mapping[str, Any]],
    overrides: Mapping[str, str],
    local_values: Mapping[str, str] = LOCAL_VALUES,
) -> dict[str, ParameterValue]:
    """Each parameter's value: its override, else its default, else a local value; checked as
    CloudFormation does."""
    unknown = sorted(set(overrides) - set(declared))
    if unknown:
        raise ParameterError(
            f"the template has no parameter {', '.join(unknown)} "
            f"(parameters: {', '.join(sorted(declared)) or 'none'})"
        )
    values: dict[str, ParameterValue] = {}
    for name, spec in declared.items():
        if name in overrides:
            raw = overrides[name]
        elif "Default" in spec:
            raw = _as_text(spec["Default"])
        elif name in local_values:
            raw = local_values[name]
        else:
            raise ParameterError(f"parameter {name} has no default: pass {name}=VALUE")
        values[name] = _checked(name, spec, raw)
    return values


def _as_text(value: Any) -> str:
    # YAML reads `Default: 30` as an int and `Default: true` as a bool; CloudFormation sees text.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_as_text(v) for v in value)
    return str(value)


def _checked(name: str, spec: Mapping[str, Any], raw: str) -> ParameterValue:
    kind = str(spec.get("Type", "String"))
    # Other AWS-specific types (AWS::EC2::VPC::Id ...) are plain strings here: nothing to look up.
    if kind.startswith("AWS::SSM::"):
        raise ParameterError(f"parameter {name}: type {kind} reads SSM, not available locally")
    if kind in _LIST_TYPES or kind.startswith("List<"):
        items = [item.strip() for item in raw.split(",")] if raw else []
        for item in items:
            _check_scalar(name, spec, item, numeric=kind == "List<Number>")
        return items
    _check_scalar(name, spec, raw, numeric=kind == "Number")
    return raw


def _check_scalar(name: str, spec: Mapping[str, Any], raw: str, *, numeric: bool) -> None:
    allowed = spec.get("AllowedValues")
    if allowed is not None and raw not in [_as_text(v) for v in allowed]:
        raise ParameterError(f"parameter {name}={raw!r} is not one of {allowed}")
    pattern = spec.get("AllowedPattern")
    if pattern is not None and not re.fullmatch(str(pattern), raw):
        raise ParameterError(f"parameter {name}={raw!r} does not match {pattern}")
    if "MinLength" in spec and len(raw) < int(spec["MinLength"]):
        raise ParameterError(f"parameter {name} is shorter than {spec['MinLength']}")
    if "MaxLength" in spec and len(raw) > int(spec["MaxLength"]):
        raise ParameterError(f"parameter {name} is longer than {spec['MaxLength']}")
    if not numeric:
        return
    try:
        number = float(raw)
    except ValueError:
        raise ParameterError(f"parameter {name}={raw!r} is not a number") from None
    if "MinValue" in spec and number < float(spec["MinValue"]):
        raise ParameterError(f"parameter {name}={raw} is below MinValue {spec['MinValue']}")
    if "MaxValue" in spec and number > float(spec["MaxValue"]):
        raise ParameterError(f"parameter {name}={raw} is above MaxValue {spec['MaxValue']}")
