"""Read what a translated template lets each role do, as flat grants that are easy to judge.

SAM's policy templates (SQSSendMessagePolicy ...) become inline policies of a generated
`<Function>Role`; its Events add AWS-managed policies. A grant is one Allow statement with its
actions in lower case and its resources rendered by `values.render`. A statement under Fn::If
counts only where its condition holds for the parameters given.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from offload_local.template.stack import ACCOUNT_ID
from tests.template.values import PARTITION, REGION, render, resolve

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from offload_local.template.translation import Translated


@dataclass(frozen=True)
class Grant:
    """One Allow statement of a role's inline policy."""

    policy: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    condition: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.policy}: {list(self.actions)} on {list(self.resources)}"


@dataclass(frozen=True)
class Request:
    """One call as IAM judges it: its action, its resource (rendered as grants are), and the
    partition key values it names (`dynamodb:LeadingKeys`; none for a Scan)."""

    action: str
    resource: str
    leading_keys: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.action} on {self.resource} with keys {list(self.leading_keys)}"


#: The conditions `allows` evaluates, as IAM does; any other makes a grant allow nothing here.
LEADING_KEYS = ("ForAllValues:StringLike", "dynamodb:LeadingKeys")


def allows(grant: Grant, request: Request) -> bool:
    """Whether the grant lets the request through: its action, a resource matching one of the
    grant's (IAM wildcards), and its condition. ForAllValues holds for every value named, so
    it holds for a request that names none (a Scan): a key condition cannot narrow a Scan."""
    if not any(request.action in expand(action) for action in grant.actions):
        return False
    if not any(_like(request.resource, resource) for resource in grant.resources):
        return False
    for operator, keys in grant.condition.items():
        for key, expected in keys.items():
            if (operator, key) != LEADING_KEYS:
                return False
            patterns = expected if isinstance(expected, list) else [expected]
            if not all(any(_like(k, p) for p in patterns) for k in request.leading_keys):
                return False
    return True


def _like(value: str, pattern: str) -> bool:
    """IAM's StringLike (and ARN) matching: `*` any run of characters, `?` any one."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def role_of(translated: Translated, function: str) -> tuple[str, dict[str, Any]]:
    """The logical id and resource of the IAM role a function runs as (it must be in the stack)."""
    role = translated.resources[function]["Properties"]["Role"]
    if not (isinstance(role, dict) and "Fn::GetAtt" in role):
        raise AssertionError(f"{function}'s Role is {role!r}, not a role of this stack")
    logical = role["Fn::GetAtt"][0]
    return logical, translated.resources[logical]


def grants(
    role: Mapping[str, Any], parameters: Mapping[str, str], translated: Translated
) -> list[Grant]:
    """The Allow statements of a role's inline policies (Deny statements only take away)."""
    found: list[Grant] = []
    for policy in role["Properties"].get("Policies", []):
        for statement in _as_list(policy["PolicyDocument"]["Statement"]):
            statement = _chosen(statement, parameters, translated)
            if statement is None or statement.get("Effect") != "Allow":
                continue
            found.append(
                Grant(
                    policy=str(policy["PolicyName"]) + _sid(statement),
                    actions=tuple(str(a).lower() for a in _as_list(statement.get("Action"))),
                    resources=tuple(
                        render(r, parameters) for r in _as_list(statement.get("Resource"))
                    ),
                    condition=statement.get("Condition", {}),
                )
            )
    return found


def statements(translated: Translated) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy statement in the template, wherever it is (roles, policies, queue policies)."""
    for logical, resource in translated.resources.items():
        yield from ((logical, s) for s in _statements_in(resource))


def expand(action: str) -> set[str]:
    """The IAM actions an action pattern (`sqs:SendMessage*`) grants, from cfn-lint's catalogue."""
    service, _, pattern = action.lower().partition(":")
    catalogue = _iam_actions().get(service)
    if catalogue is None:
        return {action.lower()}
    return {f"{service}:{name}" for name in catalogue if fnmatchcase(name, pattern)} or {
        action.lower()
    }


def queue_arns(queue: str) -> set[str]:
    """The ways a statement may name one queue of this stack."""
    return {f"<{queue}.Arn>", f"arn:{PARTITION}:sqs:{REGION}:{ACCOUNT_ID}:<{queue}.QueueName>"}


def table_arns(table: str) -> set[str]:
    """The ways a statement may name one table of this stack (not its indexes)."""
    return {f"<{table}.Arn>", f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/<{table}>"}


def index_arns(table: str, index: str) -> set[str]:
    """The ways a statement may name one index of a table of this stack."""
    return {
        f"<{table}.Arn>/index/{index}",
        f"arn:{PARTITION}:dynamodb:{REGION}:{ACCOUNT_ID}:table/<{table}>/index/{index}",
    }


def object_arns(bucket: str, prefix: str) -> set[str]:
    """The ways a statement may name the objects under one prefix of a bucket of this stack."""
    return {f"<{bucket}.Arn>/{prefix}*", f"arn:{PARTITION}:s3:::<{bucket}>/{prefix}*"}


def ses_identity_arns() -> set[str]:
    """SES identities of this account and region (in the sandbox, recipients are identities)."""
    return {f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT_ID}:identity/*"}


def configuration_set_arn(logical_id: str) -> str:
    """An SES configuration set of this stack."""
    return f"arn:{PARTITION}:ses:{REGION}:{ACCOUNT_ID}:configuration-set/<{logical_id}>"


@cache
def _iam_actions() -> dict[str, frozenset[str]]:
    text = resources.files("cfnlint").joinpath("data/AdditionalSpecs/Policies.json").read_text()
    services: dict[str, Any] = json.loads(text)
    return {prefix: frozenset(spec["Actions"]) for prefix, spec in services.items()}


def _statements_in(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "Statement" in value:
            yield from (s for s in _as_list(value["Statement"]) if isinstance(s, dict))
        for child in value.values():
            yield from _statements_in(child)
    elif isinstance(value, list):
        for child in value:
            yield from _statements_in(child)


def _chosen(
    statement: Mapping[str, Any], parameters: Mapping[str, str], translated: Translated
) -> Mapping[str, Any] | None:
    """The statement itself, or the branch its Fn::If takes (None for AWS::NoValue). The
    branch's own values stay as written: conditions compare them unresolved."""
    while set(statement) == {"Fn::If"}:
        condition, when_true, when_false = statement["Fn::If"]
        holds = resolve({"Condition": condition}, parameters, translated)
        taken = when_true if holds else when_false
        if taken == {"Ref": "AWS::NoValue"}:
            return None
        statement = taken
    return statement


def _sid(statement: Mapping[str, Any]) -> str:
    return f"/{statement['Sid']}" if "Sid" in statement else ""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
