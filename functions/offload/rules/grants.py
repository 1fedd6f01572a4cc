"""What a function's role must be allowed on the template's resources, and the rules that say so.

A grant rule lists the grants each function it judges needs; every grant its role surely lacks
(offload.rules.permissions: what the template shows) is one finding, naming the missing actions,
what fails without them and how to grant them. A function whose permissions the template does
not show is not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.arns import Arns
from offload.rules.permissions import Permissions, permissions
from offload.rules.rule import WiringRule
from offload.rules.wiring import Function, Path, Wiring


@dataclass(frozen=True)
class Grant:
    """Actions a function's role needs on one queue or table of the template.

    The finding reads "<subject> <role> may not <missing actions> <place>: <consequence>",
    then how to grant them (on AWS; with SAM, by `sam_policy` when one policy template does).
    Unless told otherwise it points at the function's role, whose subject is "<function>'s role".
    """

    function: Function
    resource: str
    actions: tuple[str, ...]
    place: str
    consequence: str
    sam_policy: str | None = None
    subject: str = ""
    where: Path | None = None

    def message(self, role: str, missing: list[str]) -> str:
        subject = self.subject or f"{self.function.logical_id}'s role"
        sam = (
            f" (SAM: {self.sam_policy} with QueueName: !GetAtt {self.resource}.QueueName)"
            if self.sam_policy
            else ""
        )
        return (
            f"{subject} {role} may not {', '.join(missing)} {self.place}: {self.consequence}. "
            f"Grant {', '.join(self.actions)} on {self.resource}'s ARN{sam}"
        )


class GrantRule(WiringRule):
    """A rule on what the roles of some functions must be allowed."""

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        arns = Arns(wiring)
        known: dict[str, Permissions | None] = {}
        for grant in self.grants(wiring):
            logical_id = grant.function.logical_id
            if logical_id not in known:
                known[logical_id] = permissions(wiring, grant.function)
            granted, arn = known[logical_id], arns.of(grant.resource)
            if granted is None or arn is None:
                continue
            missing = [action for action in grant.actions if not granted.allow(action, arn)]
            if missing:
                where = grant.where if grant.where is not None else grant.function.role_path
                yield RuleMatch(where, grant.message(granted.role, missing))

    def grants(self, wiring: Wiring) -> Iterator[Grant]:
        raise NotImplementedError
