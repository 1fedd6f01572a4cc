"""The library's template rules (offload.rules), run before anything is created.

`cfn-lint template.yaml --append-rules offload.rules` reports a wiring that would lose or
repeat tasks for every value a deploy may choose; here the rules judge this run's values (the
overrides, the defaults, the local stand-ins), and a finding stops start-up like a broken
parameter does: nothing runs that AWS would run wrongly.
"""

from __future__ import annotations

from offload.rules.check import check_template
from offload_local.errors import WiringError
from offload_local.template.stack import Stack


def check_wiring(stack: Stack) -> None:
    """Raise WiringError naming every rule that fires, its line and what to change."""
    source = stack.translated.source
    findings = check_template(source.read_text(), stack.parameters, stack.region)
    if findings:
        raise WiringError(
            f"{source.name} would lose or repeat tasks (offload.rules): "
            + "; ".join(str(finding) for finding in findings)
        )
