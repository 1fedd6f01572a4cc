"""The decisions the stand-in for `sam local`'s missing JWT authorizer makes, route by route, as
API Gateway makes them: a route that asks for scopes passes only a token granting one of them.
(Served over HTTP to the SAM CLI's containers, with the local cloud's real tokens:
tests/functional/offload_local/test_sam_authorizer.py.)"""

from __future__ import annotations

import io
import json
from typing import Any, cast

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.console import Console
from offload_local.gateway.authorizer import JwtValidator
from offload_local.provision.deployment import Deployment, HttpApi, JwtAuthorizer, Route
from offload_local.provision.resources import Provisioned, Registry
from offload_local.sam.authorizer import AuthorizerService
from offload_local.template.stack import Stack
from offload_local.template.translation import Translated

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT = "client-1"
NOW = 1_800_000_000
ARN = "arn:aws:lambda:us-east-1:123456789012:function:local-Api"


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


class Keys:
    def __init__(self, key: RSAKey) -> None:
        self._set = KeySet.import_key_set(KeySet([key]).as_dict(private=False))

    def key_set(self) -> KeySet:
        return self._set


def service(key: RSAKey) -> AuthorizerService:
    """The service for an API whose POST /items asks for a scope and whose GET /items does not
    (a template's `AuthorizationScopes`)."""
    api = HttpApi(
        logical_id="Api",
        api_id="api1",
        routes=(
            Route("POST", "/items", ARN, "Users", ("items/write", "items/admin")),
            Route("GET", "/items", ARN, "Users"),
        ),
        authorizers={"Users": JwtAuthorizer("Users", ISSUER, (CLIENT,))},
    )
    registry = Registry()
    registry.add("Api", Provisioned(type="AWS::ApiGatewayV2::Api", ref="api1", emulated=api))
    deployment = Deployment(
        stack=Stack.from_template(Translated(resources={}, parameters={}, outputs={})),
        aws=cast(AwsEndpoint, None),
        registry=registry,
        outputs={},
    )
    validator = JwtValidator(api.authorizers["Users"], Keys(key), clock=lambda: NOW)
    return AuthorizerService(
        deployment,
        {"Api": {"Users": validator}},
        Console(io.StringIO(), colour=False),
        "127.0.0.1",
        peers=lambda _: False,
    )


def event(key: RSAKey, method: str, **claims: Any) -> dict[str, Any]:
    """An HTTP API event as `sam local start-api` builds it (no authorizer in its context),
    with a token of the pool carrying `claims`."""
    payload = {"iss": ISSUER, "client_id": CLIENT, "sub": "s1", "exp": NOW + 60} | claims
    token = jwt.encode({"alg": "RS256", "kid": "k1"}, payload, key)
    return {
        "rawPath": "/items",
        "requestContext": {"http": {"method": method, "path": "/items"}},
        "headers": {"authorization": f"Bearer {token}"},
    }


def test_a_route_that_asks_for_scopes_needs_a_token_granting_one(key: RSAKey) -> None:
    authorizer = service(key)

    refused = authorizer.decide("ApiFunction", event(key, "POST", scope="items/read"))
    granted = authorizer.decide("ApiFunction", event(key, "POST", scope="items/read items/write"))

    response = refused["response"]
    assert response["statusCode"] == 403
    assert json.loads(response["body"]) == {"message": "Forbidden"}
    assert 'error="insufficient_scope"' in response["headers"]["www-authenticate"]
    # The function sees the token's scopes, all of them, on a route that asks for scopes
    assert granted["authorizer"]["jwt"]["scopes"] == ["items/read", "items/write"]


def test_a_route_that_asks_for_no_scope_takes_any_valid_token(key: RSAKey) -> None:
    decision = service(key).decide("ApiFunction", event(key, "GET", scope="items/read"))

    assert decision["authorizer"]["jwt"]["scopes"] is None
    assert decision["authorizer"]["jwt"]["claims"]["sub"] == "s1"
