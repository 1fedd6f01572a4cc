"""The provisioner contract: one class per CloudFormation resource type.

`provision()` refuses properties the class neither applies nor explains away, so nothing in the
template is silently dropped (what moto's own CloudFormation does); `create()` does the work.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.errors import UnsupportedResourceError
from offload_local.provision.resources import Provisioned, Registry
from offload_local.template.stack import Stack


@dataclass(frozen=True)
class ProvisionContext:
    """What a provisioner may use: the stack, the AWS endpoint, resources created so far."""

    stack: Stack
    aws: AwsEndpoint
    registry: Registry

    @property
    def code_dirs(self) -> Mapping[str, Path]:
        """Each function's code folder (its CodeUri), by logical id."""
        return self.stack.translated.code_dirs

    def arn(self, service: str, resource: str, region: bool = True) -> str:
        where = f"{self.stack.region}:{self.stack.account_id}" if region else ":"
        return f"arn:{self.stack.partition}:{service}:{where}:{resource}"


class Provisioner(ABC):
    """Creates one resource type in the local cloud (or records it for an emulator)."""

    resource_type: ClassVar[str]
    # Properties create() turns into API calls or emulator settings.
    applied: ClassVar[frozenset[str]]
    # Properties with no local meaning, each with the reason shown when asked.
    ignored: ClassVar[Mapping[str, str]] = {}

    def provision(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        unknown = sorted(set(properties) - self.applied - set(self.ignored))
        if unknown:
            raise UnsupportedResourceError(
                f"{logical_id} ({self.resource_type}): the local cloud does not implement "
                f"{', '.join(unknown)}; add it to offload_local/provision/"
            )
        return self.create(ctx, logical_id, properties)

    @abstractmethod
    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned: ...


def error_code(exc: Exception) -> str:
    """The AWS error code of a botocore ClientError, '' for anything else."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def tag_dict(tags: Any) -> dict[str, str]:
    """CloudFormation tags (a [{Key, Value}] list, or a map for some types) as a map."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {str(t["Key"]): str(t["Value"]) for t in tags or []}


def text(value: Any) -> str:
    """A property as the string an AWS attribute API wants (booleans in lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def boolean(value: Any) -> bool:
    """A CloudFormation boolean, which may arrive as true, "true" or "True"."""
    if isinstance(value, bool):
        return value
    return str(value).lower() == "true"
