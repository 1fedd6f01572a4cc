"""What the gateway does before the integration: route, throttle, authorize, in that order;
a refused request never reaches the function."""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from offload_local.console import Console
from offload_local.functions.invocation import Invocation
from offload_local.gateway.authorizer import Allowed, JwtValidator, Refused
from offload_local.gateway.events import HttpRequest
from offload_local.gateway.server import Gateway
from offload_local.provision.deployment import HttpApi, JwtAuthorizer, Route, RouteThrottle
from tests.raw_http import exchange

ARN = "arn:aws:lambda:us-east-1:123456789012:function:local-Api"
API = HttpApi(
    logical_id="Api",
    api_id="abcdef1234",
    routes=(
        Route("GET", "/health", ARN),
        Route("ANY", "/{proxy+}", ARN, authorizer="Users"),
    ),
    authorizers={"Users": JwtAuthorizer("Users", "https://issuer", ("client",))},
    default_throttle=RouteThrottle(rate_limit=0.001, burst_limit=2),
)


class Validator:
    """Accepts the token "good" and nothing else."""

    def authorize(self, request: HttpRequest, scopes: Any) -> Allowed | Refused:
        if dict(request.headers).get("Authorization") == "Bearer good":
            return Allowed({"sub": "u1", "cognito:groups": "[admin]"}, None)
        return Refused(401, "the token has expired")


class PublishedKeys:
    """The issuer's key set: the public half of `key`."""

    def __init__(self, key: RSAKey) -> None:
        self._set = KeySet.import_key_set(KeySet([key]).as_dict(private=False))

    def key_set(self) -> KeySet:
        return self._set


class Function:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, arn: str, event: Any) -> Invocation:
        self.events.append(event)
        return Invocation("r", result={"statusCode": 200, "body": "ok"})


def gateway(
    function: Function, api: HttpApi = API, authorizers: dict[str, Any] | None = None
) -> Gateway:
    """A gateway for `api` on a free port, its authorizer the canned Validator unless given."""
    return Gateway(
        api,
        function,
        Console(io.StringIO(), colour=False),
        region="us-east-1",
        account_id="123456789012",
        port=0,
        authorizers=authorizers or {"Users": Validator()},
    )


def get(path: str, token: str | None = None) -> HttpRequest:
    headers = [("Host", "127.0.0.1")]
    if token:
        headers.append(("Authorization", f"Bearer {token}"))
    return HttpRequest(method="GET", target=path, headers=headers)


def test_an_authorized_request_carries_the_claims_to_the_function() -> None:
    function = Function()

    response = gateway(function).handle(get("/items/1", "good"))

    assert response.status == 200
    (event,) = function.events
    assert event["requestContext"]["authorizer"] == {
        "jwt": {"claims": {"sub": "u1", "cognito:groups": "[admin]"}, "scopes": None}
    }


def test_a_refused_token_is_401_and_the_function_is_not_invoked() -> None:
    function = Function()

    response = gateway(function).handle(get("/items/1", "stale"))

    assert (response.status, json.loads(response.body)) == (401, {"message": "Unauthorized"})
    assert (
        "www-authenticate",
        'Bearer scope="" error="invalid_token" error_description="the token has expired"',
    ) in response.headers
    assert function.events == []


def test_a_public_route_needs_no_token_and_gets_no_authorizer_context() -> None:
    function = Function()

    response = gateway(function).handle(get("/health"))

    assert response.status == 200
    assert "authorizer" not in function.events[0]["requestContext"]


def test_a_route_asking_for_scopes_is_403_to_a_token_granting_none_of_them() -> None:
    # The real validator, and a route of the template that asks for a scope
    key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    scoped = Route("POST", "/items", ARN, authorizer="Users", scopes=("items/write",))
    api = dataclasses.replace(API, routes=(scoped,), default_throttle=None)
    function = Function()
    validator = JwtValidator(api.authorizers["Users"], PublishedKeys(key), clock=lambda: 0)
    served = gateway(function, api, {"Users": validator})

    def post(scope: str) -> int:
        claims = {"iss": "https://issuer", "aud": "client", "exp": 60, "scope": scope}
        token = jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)
        headers = [("Host", "127.0.0.1"), ("Authorization", f"Bearer {token}")]
        return served.handle(HttpRequest(method="POST", target="/items", headers=headers)).status

    assert post("items/read") == 403
    assert function.events == []
    assert post("items/read items/write") == 200
    assert function.events[0]["requestContext"]["authorizer"]["jwt"]["scopes"] == [
        "items/read",
        "items/write",
    ]


def test_throttling_comes_first_for_every_route_public_or_not() -> None:
    function = Function()
    served = gateway(function)

    health = [served.handle(get("/health")).status for _ in range(3)]
    # Unauthorized requests spend the route's tokens too.
    items = [served.handle(get("/items/1", "stale")).status for _ in range(3)]
    throttled = served.handle(get("/items/1", "good"))

    assert health == [200, 200, 429]
    assert items == [401, 401, 429]
    assert (throttled.status, json.loads(throttled.body)) == (
        429,
        {"message": "Too Many Requests"},
    )
    assert len(function.events) == 2


@pytest.fixture
def served() -> Iterator[tuple[Gateway, Function]]:
    function = Function()
    server = gateway(function)
    server.start()
    yield server, function
    server.stop()


def post(gateway: Gateway, *framing: str, body: bytes = b"{}") -> bytes:
    """A POST to a route behind the authorizer, with a token it accepts."""
    head = [
        "POST /items HTTP/1.1",
        f"Host: {urlsplit(gateway.url).netloc}",
        "Authorization: Bearer good",
        *framing,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@pytest.mark.parametrize(
    "framing",
    [
        ["Content-Length: ten"],
        ["Content-Length: -1"],
        ["Content-Length: 2", "Content-Length: 3"],
        ["Transfer-Encoding: chunked"],  # then "{}" as the chunk size
    ],
    ids=["not a number", "negative", "two lengths", "chunk size not hex"],
)
def test_a_body_of_unknown_length_is_400_and_ends_the_connection(
    served: tuple[Gateway, Function], framing: list[str]
) -> None:
    # Before: a word ended the handler with no answer; -1 read until the client gave up.
    server, function = served

    status, headers, body = exchange(server.url, post(server, *framing, body=b"{}\r\n"))

    assert (status, json.loads(body)) == (400, {"message": "Bad Request"})
    assert headers["connection"] == "close"
    assert function.events == []


def test_a_well_framed_body_reaches_the_function(served: tuple[Gateway, Function]) -> None:
    server, function = served

    status, _, _ = exchange(server.url, post(server, "Content-Length: 2, 2"))

    assert status == 200
    assert function.events[0]["body"] == "{}"
