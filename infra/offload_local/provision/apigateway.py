"""API Gateway v2: an HTTP API defined by an OpenAPI body (what SAM generates) and its stage,
both served by the local gateway, with the body's JWT authorizers and the stage's throttles."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from offload_local.errors import ProvisionError, UnsupportedResourceError
from offload_local.provision.base import ProvisionContext, Provisioner
from offload_local.provision.deployment import HttpApi, JwtAuthorizer, Route, RouteThrottle
from offload_local.provision.resources import Provisioned

_ANY = "x-amazon-apigateway-any-method"
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
_FUNCTION_ARN = re.compile(r"/functions/(arn:[^/]+)/invocations")
_AUTHORIZER = "x-amazon-apigateway-authorizer"
# What SAM writes as a route's security for `Authorizer: NONE`: no scheme of that name exists,
# so API Gateway imports the route without authorization.
_PUBLIC = "NONE"
# API Gateway's account-level throttling quota per region (requests per second, burst).
ACCOUNT_RATE_LIMIT = 10_000.0
ACCOUNT_BURST_LIMIT = 5_000


class HttpApiProvisioner(Provisioner):
    resource_type = "AWS::ApiGatewayV2::Api"
    applied = frozenset({"Body", "Name", "ProtocolType"})
    ignored: ClassVar[Mapping[str, str]] = {
        "Description": "documentation only",
        "Tags": "documentation only",
        "CorsConfiguration": "the local gateway answers preflight requests through the function",
        "DisableExecuteApiEndpoint": "the local gateway is the only endpoint",
        "FailOnWarnings": "the local gateway has no import warnings",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        if str(properties.get("ProtocolType", "HTTP")) != "HTTP" or "Body" not in properties:
            raise UnsupportedResourceError(
                f"{logical_id} (AWS::ApiGatewayV2::Api): only HTTP APIs defined by an OpenAPI "
                "Body (as AWS::Serverless::HttpApi generates) run locally"
            )
        # API ids are 10 lower-case characters; a hash keeps this one stable across restarts.
        api_id = hashlib.sha256(f"{ctx.stack.name}/{logical_id}".encode()).hexdigest()[:10]
        body = properties["Body"]
        authorizers = _authorizers(logical_id, body)
        api = HttpApi(
            logical_id=logical_id,
            api_id=api_id,
            routes=tuple(_routes(logical_id, body, authorizers)),
            authorizers=authorizers,
        )
        endpoint = f"https://{api_id}.execute-api.{ctx.stack.region}.amazonaws.com"
        return Provisioned(
            type=self.resource_type,
            ref=api_id,
            attributes={"ApiId": api_id, "ApiEndpoint": endpoint},
            emulated=api,
        )


def _authorizers(logical_id: str, body: Mapping[str, Any]) -> dict[str, JwtAuthorizer]:
    """The JWT authorizers among the body's security schemes; other kinds are refused."""
    found: dict[str, JwtAuthorizer] = {}
    schemes = body.get("components", {}).get("securitySchemes", {})
    for name, scheme in schemes.items():
        authorizer = scheme.get(_AUTHORIZER)
        kind = str(authorizer.get("type", "")).lower() if authorizer else ""
        if kind != "jwt":
            raise UnsupportedResourceError(
                f"{logical_id} (AWS::ApiGatewayV2::Api): security scheme {name} is not a JWT "
                "authorizer; only JWT authorizers run locally"
            )
        sources = authorizer.get("identitySource", "$request.header.Authorization")
        if isinstance(sources, list):
            if len(sources) != 1:
                raise UnsupportedResourceError(
                    f"{logical_id}: JWT authorizer {name} must have exactly one identity source"
                )
            sources = sources[0]
        if not str(sources).startswith(("$request.header.", "$request.querystring.")):
            raise UnsupportedResourceError(
                f"{logical_id}: JWT authorizer {name} reads its token from {sources}; only "
                "$request.header.* and $request.querystring.* are implemented locally"
            )
        jwt = authorizer.get("jwtConfiguration", {})
        audience = jwt.get("audience", [])
        found[str(name)] = JwtAuthorizer(
            name=str(name),
            issuer=str(jwt.get("issuer", "")),
            audience=tuple(str(a) for a in ([audience] if isinstance(audience, str) else audience)),
            identity_source=str(sources),
        )
    return found


def _security(
    logical_id: str,
    where: str,
    requirements: Any,
    authorizers: Mapping[str, JwtAuthorizer],
) -> tuple[str | None, tuple[str, ...]]:
    """The authorizer and scopes of a route from its OpenAPI `security` requirements."""
    if not requirements:
        return None, ()
    if len(requirements) != 1 or len(requirements[0]) != 1:
        # API Gateway attaches one authorizer to a route: alternatives cannot be expressed.
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::ApiGatewayV2::Api): route {where} lists several security "
            "requirements; an HTTP API route has one authorizer"
        )
    ((name, scopes),) = requirements[0].items()
    if name == _PUBLIC:
        return None, ()
    if name not in authorizers:
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::ApiGatewayV2::Api): route {where} names authorizer {name}, "
            "which components.securitySchemes does not define"
        )
    return str(name), tuple(str(scope) for scope in scopes or ())


def _routes(
    logical_id: str, body: Mapping[str, Any], authorizers: Mapping[str, JwtAuthorizer]
) -> list[Route]:
    # An operation without `security` of its own takes the document's.
    default_security = body.get("security")
    routes = []
    for path, operations in body.get("paths", {}).items():
        for key, operation in operations.items():
            if key == _ANY:
                method = "ANY"
            elif key in _METHODS:
                method = key.upper()
            else:
                continue  # parameters, summary ...
            integration = operation.get("x-amazon-apigateway-integration", {})
            version = str(integration.get("payloadFormatVersion", "2.0"))
            match = _FUNCTION_ARN.search(str(integration.get("uri", "")))
            if integration.get("type") != "aws_proxy" or not match or version != "2.0":
                raise UnsupportedResourceError(
                    f"{logical_id} (AWS::ApiGatewayV2::Api): route {method} {path} is not a "
                    "Lambda proxy integration with payload format 2.0"
                )
            authorizer, scopes = _security(
                logical_id,
                f"{method} {path}",
                operation.get("security", default_security),
                authorizers,
            )
            routes.append(
                Route(
                    method=method,
                    path=str(path),
                    function_arn=match.group(1),
                    authorizer=authorizer,
                    scopes=scopes,
                )
            )
    return routes


# Route settings other than throttling, and why they change nothing locally.
_ROUTE_SETTINGS_IGNORED = {
    "DetailedMetricsEnabled": "no CloudWatch metrics are produced locally",
    "LoggingLevel": "execution logs are for WebSocket APIs",
    "DataTraceEnabled": "execution logs are for WebSocket APIs",
}


class StageProvisioner(Provisioner):
    resource_type = "AWS::ApiGatewayV2::Stage"
    applied = frozenset(
        {"ApiId", "StageName", "StageVariables", "DefaultRouteSettings", "RouteSettings"}
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "AutoDeploy": "the local gateway serves the template as it is",
        "Tags": "documentation only",
        "Description": "documentation only",
        "AccessLogSettings": "each request is logged to the console instead of a log group",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        stage = str(properties["StageName"])
        api_logical_id = ctx.registry.find("AWS::ApiGatewayV2::Api", "ApiId", properties["ApiId"])
        if api_logical_id is None:
            raise UnsupportedResourceError(f"{logical_id}: its ApiId is not an API of the template")
        if stage != "$default":
            return Provisioned(
                type=self.resource_type,
                ref=stage,
                note=f"stage {stage} not served: the local gateway serves $default only",
            )
        api = ctx.registry[api_logical_id]
        if not isinstance(api.emulated, HttpApi):
            raise UnsupportedResourceError(f"{logical_id}: its API is not served locally")
        variables = {str(k): str(v) for k, v in properties.get("StageVariables", {}).items()}
        default = _throttle(
            logical_id, "DefaultRouteSettings", properties.get("DefaultRouteSettings", {}), None
        )
        routes = {route.key for route in api.emulated.routes}
        throttles: dict[str, RouteThrottle] = {}
        for key, settings in properties.get("RouteSettings", {}).items():
            if key not in routes:
                # CloudFormation fails the stage the same way.
                raise ProvisionError(
                    f"{logical_id} (AWS::ApiGatewayV2::Stage): RouteSettings names route "
                    f"{key!r}, which {api_logical_id} does not have"
                )
            throttle = _throttle(logical_id, f"RouteSettings[{key}]", settings, default)
            if throttle is not None:
                throttles[str(key)] = throttle
        # The gateway reads stage variables and throttles from the API it serves.
        emulated = replace(
            api.emulated,
            stage_variables=variables,
            default_throttle=default,
            route_throttles=throttles,
        )
        ctx.registry.add(api_logical_id, replace(api, emulated=emulated))
        return Provisioned(type=self.resource_type, ref=stage)


def _throttle(
    logical_id: str,
    where: str,
    settings: Mapping[str, Any],
    default: RouteThrottle | None,
) -> RouteThrottle | None:
    """Throttling from a route settings object; a limit it leaves out comes from `default`,
    else from the account's quota (API Gateway's ceiling for every API of a region)."""
    unknown = sorted(
        set(settings) - {"ThrottlingRateLimit", "ThrottlingBurstLimit", *_ROUTE_SETTINGS_IGNORED}
    )
    if unknown:
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::ApiGatewayV2::Stage): {where}.{', '.join(unknown)} is not "
            "implemented locally"
        )
    rate = settings.get("ThrottlingRateLimit")
    burst = settings.get("ThrottlingBurstLimit")
    if rate is None and burst is None:
        return default
    fallback = default or RouteThrottle(ACCOUNT_RATE_LIMIT, ACCOUNT_BURST_LIMIT)
    return RouteThrottle(
        rate_limit=float(rate) if rate is not None else fallback.rate_limit,
        burst_limit=int(burst) if burst is not None else fallback.burst_limit,
    )
