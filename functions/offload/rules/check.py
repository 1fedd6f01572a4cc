"""The offload rules alone, run on one template through cfn-lint's Python API.

What the local cloud runs before it provisions anything, and what a project's own tests may
call: `check_template(Path("template.yaml").read_text())` is empty for a sound wiring.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

RULES_MODULE = "offload.rules"
DEFAULT_REGION = "us-east-1"
#: What lets a parameter take more than one value.
_CHOICES = ("AllowedValues", "MinValue", "MaxValue")


@dataclass(frozen=True)
class Finding:
    """One rule's finding: its id, what to change, and the template line it points at."""

    rule: str
    message: str
    line: int

    def __str__(self) -> str:
        return f"{self.rule} (line {self.line}) {self.message}"


def check_template(
    template: str,
    parameters: Mapping[str, str | Sequence[str]] | None = None,
    region: str = DEFAULT_REGION,
) -> list[Finding]:
    """The findings of the offload rules on a template's text, in line order.

    Without `parameters`, every value a deploy may choose is checked (each parameter's
    AllowedValues, else its Default, MinValue and MaxValue); with them, that one deploy.
    """
    from cfnlint.config import ConfigMixIn
    from cfnlint.decode import decode_str
    from cfnlint.rules import Rules
    from cfnlint.runner import run_template_by_data

    decoded, errors = decode_str(template)
    if errors or decoded is None:
        return _findings(errors or [])
    if parameters:
        _pin(decoded, parameters)
    rules = Rules.create_from_module(RULES_MODULE)
    return _findings(run_template_by_data(decoded, ConfigMixIn(regions=[region]), rules))


def _pin(template: Any, parameters: Mapping[str, str | Sequence[str]]) -> None:
    """Each given parameter's only value becomes its Default.

    cfn-lint's own way, a parameter set (`--parameters`), is dropped when cfn-lint rebuilds
    its context after a Transform (SAM's included; cfn-lint 1.58), so the template says it.
    """
    declared = template.get("Parameters")
    if not isinstance(declared, dict):
        return
    for name, value in parameters.items():
        spec = declared.get(name)
        if not isinstance(spec, dict):
            continue
        spec["Default"] = value if isinstance(value, str) else ",".join(value)
        for key in _CHOICES:
            spec.pop(key, None)


def _findings(matches: Any) -> list[Finding]:
    found = {Finding(str(m.rule.id), str(m.message), int(m.linenumber)) for m in matches}
    return sorted(found, key=lambda finding: (finding.line, finding.rule, finding.message))
