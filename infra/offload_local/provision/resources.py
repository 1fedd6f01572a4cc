"""What each created resource answers to Ref and Fn::GetAtt, recorded as resources are created."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from offload_local.errors import IntrinsicError


@dataclass(frozen=True)
class Provisioned:
    """A resource as it exists locally: its Ref value, its attributes, and what runs it.

    `emulated` holds the configuration an emulator runs (a function, an event source mapping,
    an HTTP API); `note` says why a resource exists only on paper (a Lambda permission ...).
    """

    type: str
    ref: Any
    attributes: Mapping[str, Any] = field(default_factory=dict)
    emulated: object | None = None
    note: str | None = None


class Registry:
    """Created resources by logical id; implements the lookups intrinsics need."""

    def __init__(self) -> None:
        self._resources: dict[str, Provisioned] = {}

    def add(self, logical_id: str, provisioned: Provisioned) -> None:
        self._resources[logical_id] = provisioned

    def __contains__(self, logical_id: object) -> bool:
        return logical_id in self._resources

    def __getitem__(self, logical_id: str) -> Provisioned:
        return self._resources[logical_id]

    def items(self) -> Iterator[tuple[str, Provisioned]]:
        return iter(self._resources.items())

    def of_type(self, resource_type: str) -> dict[str, Provisioned]:
        return {k: v for k, v in self._resources.items() if v.type == resource_type}

    def ref(self, logical_id: str) -> Any:
        return self._get(logical_id, "Ref").ref

    def get_att(self, logical_id: str, attribute: str) -> Any:
        resource = self._get(logical_id, f"Fn::GetAtt {attribute}")
        if attribute not in resource.attributes:
            known = ", ".join(sorted(resource.attributes)) or "none"
            raise IntrinsicError(
                f"Fn::GetAtt {logical_id}.{attribute}: {resource.type} has no such attribute "
                f"locally (known: {known})"
            )
        return resource.attributes[attribute]

    def find(self, resource_type: str, attribute: str, value: Any) -> str | None:
        """The logical id of the resource of that type whose attribute (or Ref) equals value."""
        for logical_id, resource in self._resources.items():
            if resource.type != resource_type:
                continue
            if resource.ref == value or resource.attributes.get(attribute) == value:
                return logical_id
        return None

    def _get(self, logical_id: str, what: str) -> Provisioned:
        try:
            return self._resources[logical_id]
        except KeyError:
            raise IntrinsicError(
                f"{what} {logical_id}: no such resource (or it was skipped by its Condition)"
            ) from None


def attributes_view(registry: Registry) -> Mapping[str, Mapping[str, Any]]:
    """Ref and attributes of every resource, for printing and the state file."""
    return {
        logical_id: {"Type": r.type, "Ref": r.ref, **r.attributes}
        for logical_id, r in registry.items()
    }
