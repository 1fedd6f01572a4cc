"""What every offload rule shares: the template's wiring, read when cfn-lint runs the rule.

A rule's RuleMatch points where the template should change, so cfn-lint shows that line (and
a resource's `Metadata: cfn-lint: config: ignore_checks` applies to it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from cfnlint.rules import CloudFormationLintRule, RuleMatch

from offload.rules.wiring import Wiring


class WiringRule(CloudFormationLintRule):  # type: ignore[misc]  # cfn-lint ships no types
    """A rule on how the offload parts of a template fit together."""

    tags: ClassVar[list[str]] = ["offload"]

    def match(self, cfn: Any) -> list[RuleMatch]:
        return list(self.check(cfn, Wiring(cfn.template.get("Resources") or {})))

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        raise NotImplementedError
