"""The stack once provisioned: its resources, and what the emulators are to run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from offload_local.errors import UnknownFunctionError
from offload_local.functions.config import FunctionConfig
from offload_local.provision.base import ProvisionContext

T = TypeVar("T")


@dataclass(frozen=True)
class EventSourceMapping:
    """AWS::Lambda::EventSourceMapping from an SQS queue, resolved."""

    logical_id: str
    uuid: str
    function: str
    queue_arn: str
    batch_size: int = 10
    batching_window_seconds: int = 0
    report_batch_item_failures: bool = False
    maximum_concurrency: int | None = None
    enabled: bool = True

    @property
    def queue_name(self) -> str:
        return self.queue_arn.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Route:
    """One route of an HTTP API: `ANY /{proxy+}` -> a function, payload format 2.0.

    `authorizer` names the JWT authorizer that guards it (None: a public route) and `scopes`
    the authorization scopes it asks of a token, at least one of which must be granted.
    """

    method: str
    path: str
    function_arn: str
    authorizer: str | None = None
    scopes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return "$default" if self.path == "$default" else f"{self.method} {self.path}"


@dataclass(frozen=True)
class JwtAuthorizer:
    """An HTTP API JWT authorizer (x-amazon-apigateway-authorizer of type jwt)."""

    name: str
    issuer: str
    audience: tuple[str, ...]
    identity_source: str = "$request.header.Authorization"


@dataclass(frozen=True)
class RouteThrottle:
    """A stage's throttling of a route: steady requests per second, and burst (bucket size)."""

    rate_limit: float
    burst_limit: int


@dataclass(frozen=True)
class HttpApi:
    """AWS::ApiGatewayV2::Api (HTTP) with its routes, authorizers and its $default stage's
    variables and throttles (DefaultRouteSettings, and RouteSettings by route key)."""

    logical_id: str
    api_id: str
    routes: tuple[Route, ...]
    stage_variables: Mapping[str, str] = field(default_factory=dict)
    authorizers: Mapping[str, JwtAuthorizer] = field(default_factory=dict)
    default_throttle: RouteThrottle | None = None
    route_throttles: Mapping[str, RouteThrottle] = field(default_factory=dict)

    def throttle(self, route_key: str) -> RouteThrottle | None:
        """The limits a route runs under: its own RouteSettings, else the stage's default."""
        return self.route_throttles.get(route_key, self.default_throttle)


@dataclass(frozen=True)
class Deployment(ProvisionContext):
    """The provisioning's context once every resource is created, with the stack's outputs:
    the resources, and the functions, mappings and APIs the emulators run."""

    outputs: Mapping[str, Any]
    notes: tuple[str, ...] = ()

    @property
    def functions(self) -> dict[str, FunctionConfig]:
        return self._emulated(FunctionConfig)

    @property
    def event_source_mappings(self) -> dict[str, EventSourceMapping]:
        return self._emulated(EventSourceMapping)

    @property
    def http_apis(self) -> dict[str, HttpApi]:
        return self._emulated(HttpApi)

    def function(self, name: str) -> FunctionConfig:
        """A function by logical id, physical name or ARN (what FunctionName may hold)."""
        for function in self.functions.values():
            if name in (function.logical_id, function.name, function.arn):
                return function
        known = ", ".join(sorted(self.functions)) or "none"
        raise UnknownFunctionError(f"no function {name!r} in the template (functions: {known})")

    def queues(self) -> dict[str, str]:
        """Queue URL by logical id."""
        return {k: str(v.ref) for k, v in self.registry.of_type("AWS::SQS::Queue").items()}

    def _emulated(self, kind: type[T]) -> dict[str, T]:
        return {
            logical_id: resource.emulated
            for logical_id, resource in self.registry.items()
            if isinstance(resource.emulated, kind)
        }
