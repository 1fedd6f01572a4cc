"""What a deployer sets (Parameters) and reads back (Outputs)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from tests.template.values import REQUIRED_PARAMETERS

if TYPE_CHECKING:
    from offload_local.template.translation import Translated

REQUIRED_OUTPUTS = {
    "ApiUrl": None,
    # Ref to an AWS::SQS::Queue is its URL.
    "TaskQueueUrl": {"Ref": "TaskQueue"},
    "DeadLetterQueueUrl": {"Ref": "DeadLetterQueue"},
}


def test_every_parameter_but_the_sender_has_a_default(translated: Translated) -> None:
    # `sam deploy` must work with only what a deployer has to choose: the address the stack
    # sends from (a default would send as an address nobody chose).
    missing = sorted(name for name, spec in translated.parameters.items() if "Default" not in spec)
    assert missing == sorted(REQUIRED_PARAMETERS), f"parameters without a Default: {missing}"


def test_every_default_satisfies_its_own_constraints(translated: Translated) -> None:
    problems = [
        f"{name}: {problem}"
        for name, spec in translated.parameters.items()
        if "Default" in spec
        for problem in violations(spec)
    ]
    assert not problems, "defaults CloudFormation would reject: " + "; ".join(problems)


def violations(spec: dict[str, Any]) -> list[str]:
    default = str(spec["Default"])
    found = []
    if "AllowedValues" in spec and default not in map(str, spec["AllowedValues"]):
        found.append(f"{default!r} not in AllowedValues {spec['AllowedValues']}")
    if "AllowedPattern" in spec and not re.fullmatch(spec["AllowedPattern"], default):
        found.append(f"{default!r} does not match AllowedPattern {spec['AllowedPattern']!r}")
    if spec.get("Type") == "Number":
        value = float(default)
        if "MinValue" in spec and value < float(spec["MinValue"]):
            found.append(f"{default} < MinValue {spec['MinValue']}")
        if "MaxValue" in spec and value > float(spec["MaxValue"]):
            found.append(f"{default} > MaxValue {spec['MaxValue']}")
    return found


@pytest.mark.parametrize("name", sorted(REQUIRED_OUTPUTS))
def test_output_is_declared(translated: Translated, name: str) -> None:
    # e2e tests against a deployed stack (AWS_SAM_STACK_NAME) find the API and queues here.
    output = translated.outputs.get(name)
    assert output is not None, f"Outputs has no {name}; it has {sorted(translated.outputs)}"
    expected = REQUIRED_OUTPUTS[name]
    if expected is not None:
        assert output.get("Value") == expected, f"{name} is {output.get('Value')}, not {expected}"
    assert output.get("Description"), f"output {name} has no Description"


def test_api_url_points_at_the_http_api(translated: Translated) -> None:
    value = translated.outputs.get("ApiUrl", {}).get("Value")
    text = str(value.get("Fn::Sub") if isinstance(value, dict) else value)
    assert text.startswith("https://"), f"ApiUrl is {value}, not an https URL"
    assert "${HttpApi}" in text, f"ApiUrl is {value}, not a URL of the HttpApi"
