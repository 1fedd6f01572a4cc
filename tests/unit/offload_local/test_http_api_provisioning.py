"""An HTTP API's OpenAPI body and stage as the local gateway runs them: each route's
authorizer and scopes, the JWT authorizers, the throttles; what cannot run is refused."""

from __future__ import annotations

from typing import Any, cast

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.errors import ProvisionError, UnsupportedResourceError
from offload_local.provision import PROVISIONERS
from offload_local.provision.base import ProvisionContext
from offload_local.provision.deployment import HttpApi, RouteThrottle
from offload_local.provision.resources import Registry
from offload_local.template.stack import Stack
from offload_local.template.translation import Translated

ARN = "arn:aws:lambda:us-east-1:123456789012:function:local-Api"
INTEGRATION = {
    "type": "aws_proxy",
    "uri": f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{ARN}/invocations",
    "payloadFormatVersion": "2.0",
}
JWT: dict[str, Any] = {
    "type": "oauth2",
    "x-amazon-apigateway-authorizer": {
        "type": "jwt",
        "identitySource": "$request.header.Authorization",
        "jwtConfiguration": {"issuer": "https://issuer.example.com", "audience": ["client"]},
    },
}


def operation(security: Any = None) -> dict[str, Any]:
    op: dict[str, Any] = {"x-amazon-apigateway-integration": INTEGRATION}
    if security is not None:
        op["security"] = security
    return op


def body(paths: dict[str, Any], schemes: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.1",
        "paths": paths,
        "components": {"securitySchemes": {"Users": JWT} if schemes is None else schemes},
    }


def context() -> ProvisionContext:
    stack = Stack.from_template(Translated(resources={}, parameters={}, outputs={}))
    # Neither provisioner calls AWS.
    return ProvisionContext(stack, cast(AwsEndpoint, None), Registry())


def provision_api(ctx: ProvisionContext, api_body: dict[str, Any]) -> HttpApi:
    provisioned = PROVISIONERS["AWS::ApiGatewayV2::Api"].provision(ctx, "Api", {"Body": api_body})
    ctx.registry.add("Api", provisioned)
    assert isinstance(provisioned.emulated, HttpApi)
    return provisioned.emulated


def test_routes_carry_their_authorizer_and_scopes() -> None:
    api = provision_api(
        context(),
        body(
            {
                "/health": {"get": operation([{"NONE": []}])},
                "/items": {"post": operation([{"Users": ["items/write"]}])},
                "/{proxy+}": {"x-amazon-apigateway-any-method": operation([{"Users": []}])},
                "/open": {"get": operation()},
            }
        ),
    )

    routes = {route.key: (route.authorizer, route.scopes) for route in api.routes}
    assert routes == {
        "GET /health": (None, ()),
        "POST /items": ("Users", ("items/write",)),
        "ANY /{proxy+}": ("Users", ()),
        "GET /open": (None, ()),
    }
    (authorizer,) = api.authorizers.values()
    assert (authorizer.issuer, authorizer.audience) == ("https://issuer.example.com", ("client",))


def test_the_documents_security_applies_to_operations_without_their_own() -> None:
    api_body = body({"/a": {"get": operation()}, "/b": {"get": operation([{"NONE": []}])}})
    api_body["security"] = [{"Users": []}]

    api = provision_api(context(), api_body)

    assert {route.key: route.authorizer for route in api.routes} == {
        "GET /a": "Users",
        "GET /b": None,
    }


@pytest.mark.parametrize(
    ("api_body", "message"),
    [
        (body({"/a": {"get": operation([{"Nobody": []}])}}), "Nobody"),
        (body({"/a": {"get": operation([{"Users": []}, {"NONE": []}])}}), "one authorizer"),
        (
            body(
                {"/a": {"get": operation()}},
                {
                    "Lambda": {
                        "type": "apiKey",
                        "x-amazon-apigateway-authorizer": {"type": "request"},
                    }
                },
            ),
            "only JWT authorizers",
        ),
        (
            body(
                {"/a": {"get": operation()}},
                {
                    "Ctx": {
                        "x-amazon-apigateway-authorizer": {
                            **JWT["x-amazon-apigateway-authorizer"],
                            "identitySource": "$context.identity.sourceIp",
                        }
                    }
                },
            ),
            "header",
        ),
    ],
)
def test_what_the_gateway_cannot_enforce_is_refused(api_body: dict[str, Any], message: str) -> None:
    with pytest.raises(UnsupportedResourceError, match=message):
        provision_api(context(), api_body)


def stage(ctx: ProvisionContext, **properties: Any) -> HttpApi:
    PROVISIONERS["AWS::ApiGatewayV2::Stage"].provision(
        ctx, "Stage", {"ApiId": ctx.registry.ref("Api"), "StageName": "$default", **properties}
    )
    api = ctx.registry["Api"].emulated
    assert isinstance(api, HttpApi)
    return api


def test_the_stage_gives_each_route_its_throttle() -> None:
    ctx = context()
    provision_api(ctx, body({"/a": {"get": operation()}, "/b": {"post": operation()}}))

    api = stage(
        ctx,
        DefaultRouteSettings={
            "ThrottlingRateLimit": "50",
            "ThrottlingBurstLimit": "100",
            "DetailedMetricsEnabled": True,
        },
        RouteSettings={"POST /b": {"ThrottlingBurstLimit": "10"}},
        AccessLogSettings={"DestinationArn": "arn:aws:logs:...", "Format": "$context.requestId"},
    )

    assert api.throttle("GET /a") == RouteThrottle(rate_limit=50, burst_limit=100)
    # A limit the route leaves out is the stage's default.
    assert api.throttle("POST /b") == RouteThrottle(rate_limit=50, burst_limit=10)


def test_route_settings_of_a_missing_route_are_refused_like_cloudformation() -> None:
    ctx = context()
    provision_api(ctx, body({"/a": {"get": operation()}}))

    with pytest.raises(ProvisionError, match="'POST /nowhere'"):
        stage(ctx, RouteSettings={"POST /nowhere": {"ThrottlingRateLimit": 1}})


def test_a_stage_without_throttling_leaves_routes_unthrottled() -> None:
    ctx = context()
    provision_api(ctx, body({"/a": {"get": operation()}}))

    assert stage(ctx).throttle("GET /a") is None
