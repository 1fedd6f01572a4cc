"""One stack: the translated template with its parameter values, conditions and creation order."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from typing import Any

from offload_local.errors import InfraError
from offload_local.template.intrinsics import Attributes, Resolver
from offload_local.template.parameters import ParameterValue, resolve_parameters
from offload_local.template.rules import RULE_FUNCTIONS, check_rules
from offload_local.template.translation import DEFAULT_REGION, Translated

# moto's default account: what its ARNs and queue URLs contain.
ACCOUNT_ID = "123456789012"
DEFAULT_STACK_NAME = "local"


@dataclass(frozen=True)
class Resource:
    """A resource of the template, its properties still unresolved."""

    logical_id: str
    type: str
    properties: Mapping[str, Any]
    depends_on: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stack:
    """Everything needed to resolve and create the template's resources."""

    translated: Translated
    parameters: Mapping[str, ParameterValue]
    name: str = DEFAULT_STACK_NAME
    region: str = DEFAULT_REGION
    account_id: str = ACCOUNT_ID
    _conditions: Resolver = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_conditions", self.resolver())

    @classmethod
    def from_template(
        cls,
        translated: Translated,
        overrides: Mapping[str, str] | None = None,
        name: str = DEFAULT_STACK_NAME,
        region: str = DEFAULT_REGION,
    ) -> Stack:
        values = resolve_parameters(translated.parameters, overrides or {})
        stack = cls(translated=translated, parameters=values, name=name, region=region)
        # Like CloudFormation: the Rules section is checked before anything is created.
        check_rules(translated.rules, stack.resolver(functions=RULE_FUNCTIONS))
        return stack

    @property
    def partition(self) -> str:
        if self.region.startswith("cn-"):
            return "aws-cn"
        if self.region.startswith("us-gov-"):
            return "aws-us-gov"
        return "aws"

    @property
    def pseudo_parameters(self) -> dict[str, Any]:
        stack_uuid = hashlib.sha256(f"{self.account_id}/{self.name}".encode()).hexdigest()
        stack_id = (
            f"arn:{self.partition}:cloudformation:{self.region}:{self.account_id}:stack/"
            f"{self.name}/{stack_uuid[:8]}-{stack_uuid[8:12]}-{stack_uuid[12:16]}-"
            f"{stack_uuid[16:20]}-{stack_uuid[20:32]}"
        )
        suffix = "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"
        return {
            "AWS::Region": self.region,
            "AWS::AccountId": self.account_id,
            "AWS::Partition": self.partition,
            "AWS::URLSuffix": suffix,
            "AWS::StackName": self.name,
            "AWS::StackId": stack_id,
            "AWS::NotificationARNs": [],
        }

    def resolver(
        self,
        attributes: Attributes | None = None,
        functions: Mapping[str, Callable[[Resolver, Any], Any]] | None = None,
    ) -> Resolver:
        return Resolver(
            parameters=self.parameters,
            pseudo=self.pseudo_parameters,
            conditions=self.translated.conditions,
            attributes=attributes,
            mappings=self.translated.mappings,
            functions=functions,
        )

    def condition(self, name: str) -> bool:
        return self._conditions.condition(name)

    def resources(self) -> Iterator[Resource]:
        """The resources whose Condition holds, each after those it refers to."""
        active = {
            logical_id: spec
            for logical_id, spec in self.translated.resources.items()
            if "Condition" not in spec or self.condition(str(spec["Condition"]))
        }
        for logical_id in _creation_order(active):
            spec = active[logical_id]
            depends = spec.get("DependsOn", [])
            yield Resource(
                logical_id=logical_id,
                type=str(spec["Type"]),
                properties=spec.get("Properties", {}),
                depends_on=tuple([depends] if isinstance(depends, str) else depends),
            )

    def physical_name(self, logical_id: str, max_length: int = 80, lowercase: bool = False) -> str:
        """The name CloudFormation would generate, minus its random suffix.

        CloudFormation names resources `<stack>-<LogicalId>-<RANDOM>`; locally the suffix is left
        out so names are stable across restarts and copied commands keep working.
        """
        name = f"{self.name}-{logical_id}"[:max_length]
        return name.lower() if lowercase else name


def _creation_order(resources: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Each resource after the ones it refers to (Ref, GetAtt, Sub, DependsOn)."""
    dependencies = {
        logical_id: sorted(_references(spec, set(resources)) - {logical_id})
        for logical_id, spec in resources.items()
    }
    try:
        return list(TopologicalSorter(dependencies).static_order())
    except CycleError as exc:
        # graphlib lists each resource before the one that needs it; said the other way round.
        cycle: list[str] = exc.args[1]
        raise InfraError(
            f"circular dependency between resources: {' -> '.join(reversed(cycle))} "
            "(each needs the next)"
        ) from None


def _references(spec: Any, names: set[str]) -> set[str]:
    """Resources a piece of template refers to through Ref, GetAtt, Sub variables or DependsOn."""
    found: set[str] = set()
    if isinstance(spec, list):
        for item in spec:
            found |= _references(item, names)
    elif isinstance(spec, dict):
        for key, value in spec.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                target = value.split(".", 1)[0] if isinstance(value, str) else value[0]
                found.add(str(target))
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                found |= _sub_references(str(text))
                found |= _references(value, names)
            elif key == "DependsOn":
                found |= {value} if isinstance(value, str) else set(value)
            else:
                found |= _references(value, names)
    return found & names


def _sub_references(text: str) -> set[str]:
    return {match.split(".", 1)[0] for match in re.findall(r"\$\{([^}!][^}]*)\}", text)}
