"""The stand-in for the JWT authorizer that `sam local` does not run: for each request event an
API function hands it, API Gateway's decision, made by the local gateway's own validators with
the local cloud's real tokens (the function's side: tests/functional/test_local_authorizer.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from offload_local.console import Console
from offload_local.gateway.authorizer import jwt_validators
from offload_local.sam.authorizer import AuthorizerService
from tests.conftest import load_event
from tests.sam_local.harness import RunningCloud, local_cloud


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    with local_cloud(tmp_path_factory.mktemp("cloud"), serve=False) as cloud:
        yield cloud


@pytest.fixture(scope="module")
def service(running: RunningCloud) -> Iterator[AuthorizerService]:
    deployment = running.cloud.deployment
    service = AuthorizerService(
        deployment,
        jwt_validators(deployment),
        Console(colour=False),
        "127.0.0.1",
        # This test's requests come from loopback, where the containers' would come from the
        # bridge.
        peers=lambda address: address == "127.0.0.1",
    )
    service.start()
    yield service
    service.stop()


def sam_event(method: str, path: str, authorization: str | None) -> dict[str, Any]:
    """An HTTP API event as `sam local start-api` builds it: no authorizer in its context."""
    event = load_event("send_notification")
    del event["requestContext"]["authorizer"]
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    del event["headers"]["authorization"]
    if authorization is not None:
        event["headers"]["Authorization"] = authorization
    return event


def ask(service: AuthorizerService, event: dict[str, Any]) -> dict[str, Any]:
    body = json.dumps({"function": "ApiFunction", "event": event}).encode()
    request = urllib.request.Request(service.url, data=body, method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        answer: dict[str, Any] = json.loads(response.read())
    return answer


def test_a_token_of_the_user_pool_gives_its_claims(
    running: RunningCloud, service: AuthorizerService
) -> None:
    token = running.cloud.token("you@example.com")

    answer = ask(
        service, sam_event("POST", "/send-notification/you@example.com", f"Bearer {token}")
    )

    claims = answer["authorizer"]["jwt"]["claims"]
    assert (claims["email"], claims["email_verified"]) == ("you@example.com", "true")
    assert answer["authorizer"]["jwt"]["scopes"] is None


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, None),
        ("Bearer not-a-jwt", "the token is not a JWT"),
    ],
)
def test_anything_else_gets_api_gateways_401(
    service: AuthorizerService, authorization: str | None, reason: str | None
) -> None:
    answer = ask(service, sam_event("GET", "/tasks/0123", authorization))

    response = answer["response"]
    assert response["statusCode"] == 401
    assert json.loads(response["body"]) == {"message": "Unauthorized"}
    challenge = response["headers"]["www-authenticate"]
    assert (reason in challenge) if reason else ("error=" not in challenge)


def test_a_public_route_goes_on_as_it_is(service: AuthorizerService) -> None:
    assert ask(service, sam_event("GET", "/health", None)) == {"authorizer": None}


def test_a_request_that_is_not_one_is_a_400(service: AuthorizerService) -> None:
    request = urllib.request.Request(service.url, data=b"{}", method="POST")  # noqa: S310

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310

    with raised.value as error:
        assert error.code == 400


def test_only_a_request_naming_it_from_no_web_page_is_answered(
    service: AuthorizerService,
) -> None:
    body = json.dumps({"function": "ApiFunction", "event": sam_event("GET", "/health", None)})
    port = urlsplit(service.url).port
    for headers, status in [
        ({"Host": f"evil.example:{port}"}, 421),
        ({"Origin": "https://evil.example"}, 403),
    ]:
        request = urllib.request.Request(  # noqa: S310
            service.url, data=body.encode(), method="POST", headers=headers
        )
        with pytest.raises(urllib.error.HTTPError) as raised:
            urllib.request.urlopen(request, timeout=10)  # noqa: S310
        with raised.value as error:
            assert error.code == status, headers


def test_a_peer_that_is_not_a_sam_local_container_is_refused(running: RunningCloud) -> None:
    deployment = running.cloud.deployment
    service = AuthorizerService(
        deployment, jwt_validators(deployment), Console(colour=False), "127.0.0.1", lambda _: False
    )
    service.start()
    try:
        # Closed unread: nothing is answered (urllib says so one way or another)
        with pytest.raises((urllib.error.URLError, ConnectionError)):
            ask(service, sam_event("GET", "/health", None))
    finally:
        service.stop()
