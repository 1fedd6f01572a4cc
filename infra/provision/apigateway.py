"""API Gateway v2: an HTTP API defined by an OpenAPI body (what SAM generates) and its stage,
both served by the local gateway."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, ClassVar

from infra.deployment import HttpApi, Route
from infra.errors import UnsupportedResourceError
from infra.provision.base import ProvisionContext, Provisioner
from infra.registry import Provisioned

_ANY = "x-amazon-apigateway-any-method"
_METHODS = {"get", "put", "post", "delete", "options", "head", "patch"}
_FUNCTION_ARN = re.compile(r"/functions/(arn:[^/]+)/invocations")


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
        api = HttpApi(
            logical_id=logical_id,
            api_id=api_id,
            routes=tuple(_routes(logical_id, properties["Body"])),
        )
        endpoint = f"https://{api_id}.execute-api.{ctx.stack.region}.amazonaws.com"
        return Provisioned(
            type=self.resource_type,
            ref=api_id,
            attributes={"ApiId": api_id, "ApiEndpoint": endpoint},
            emulated=api,
        )


def _routes(logical_id: str, body: Mapping[str, Any]) -> list[Route]:
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
            routes.append(Route(method=method, path=str(path), function_arn=match.group(1)))
    return routes


class StageProvisioner(Provisioner):
    resource_type = "AWS::ApiGatewayV2::Stage"
    applied = frozenset({"ApiId", "StageName", "StageVariables"})
    ignored: ClassVar[Mapping[str, str]] = {
        "AutoDeploy": "the local gateway serves the template as it is",
        "Tags": "documentation only",
        "Description": "documentation only",
        "AccessLogSettings": "requests are logged to the console",
        "DefaultRouteSettings": "throttling is not emulated",
        "RouteSettings": "throttling is not emulated",
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
        variables = {str(k): str(v) for k, v in properties.get("StageVariables", {}).items()}
        if variables and isinstance(api.emulated, HttpApi):
            # The gateway reads stage variables from the API it serves.
            ctx.registry.add(
                api_logical_id,
                replace(api, emulated=replace(api.emulated, stage_variables=variables)),
            )
        return Provisioned(type=self.resource_type, ref=stage)
