"""The local cloud is for the developer's own tools: a web page in their browser, or a site that
makes its name resolve to 127.0.0.1 (DNS rebinding), gets nothing from moto's endpoint, the HTTP
API gateway or the relay of `sam local` containers; over HTTP against the servers this suite
starts. None of them asks for credentials, so these refusals are all that stands between a page
and the developer's data: a table scan, the outbox, `GET /moto-api/data.json`,
`POST /moto-api/reset`, a user created in the local user pool to mint an admin's token."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from botocore.exceptions import ClientError

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.hosts import HOSTS_PATH
from offload_local.identity.users import UserPool
from offload_local.sam.containers import SAM_CONTAINER_LABEL, SamContainers
from offload_local.sam.relay import Relay
from tests.docker_engine import docker_engine, sam_container
from tests.security.conftest import Stack
from tests.security.http import call

pytestmark = pytest.mark.e2e

EVIL = "https://evil.example"
PREFLIGHT = {
    "Origin": EVIL,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization,content-type,x-amz-target",
}


def port_of(url: str) -> int:
    return int(urlsplit(url).port or 0)


def cors_headers(headers: dict[str, str]) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name.startswith("access-control-")}


def queues(stack: Stack) -> list[str]:
    urls: list[str] = stack.cloud.deployment.aws.client("sqs").list_queues()["QueueUrls"]
    return sorted(urls)


# moto's endpoint


def test_the_aws_endpoint_refuses_a_host_that_is_not_its_own(stack: Stack) -> None:
    aws, before = stack.cloud.aws_url, queues(stack)
    rebound = {"Host": f"evil.example:{port_of(aws)}"}

    dump = call(f"{aws}/moto-api/data.json", headers=rebound)
    reset = call(f"{aws}/moto-api/reset", "POST", headers=rebound)

    assert dump[:2] == (421, "unknown host")
    assert reset[:2] == (421, "unknown host")
    assert queues(stack) == before
    assert len(before) >= 2  # the stack's queues, still there


def test_the_aws_endpoint_refuses_a_page_of_another_origin(stack: Stack) -> None:
    aws, before = stack.cloud.aws_url, queues(stack)
    pool = UserPool.of(stack.cloud.deployment)
    assert pool is not None
    page = {"Origin": EVIL}

    dump = call(f"{aws}/moto-api/data.json", headers=page)
    reset = call(f"{aws}/moto-api/reset", "POST", headers=page)
    # A user of the page's own in the local user pool, to sign in as (and make an admin)
    create_user = call(
        f"{aws}/",
        "POST",
        json.dumps({"UserPoolId": pool.pool_id, "Username": "mallory@example.com"}).encode(),
        headers={
            **page,
            "content-type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminCreateUser",
        },
    )

    assert [answer[:2] for answer in (dump, reset, create_user)] == [
        (403, "cross-origin request refused")
    ] * 3
    assert queues(stack) == before
    cognito = stack.cloud.deployment.aws.client("cognito-idp")
    with pytest.raises(ClientError, match="UserNotFoundException"):
        cognito.admin_get_user(UserPoolId=pool.pool_id, Username="mallory@example.com")


def test_the_aws_endpoint_answers_no_cors_preflight(stack: Stack) -> None:
    status, body, headers = call(f"{stack.cloud.aws_url}/", "OPTIONS", headers=PREFLIGHT)

    assert (status, body) == (403, "cross-origin request refused")
    assert cors_headers(headers) == {}


def test_the_aws_endpoint_grants_cors_to_nobody(stack: Stack) -> None:
    # moto's server grants every origin by default, on every answer
    aws = stack.cloud.aws_url
    tool = call(f"{aws}/moto-api/")
    own_page = call(f"{aws}/moto-api/", headers={"Origin": aws})

    assert (tool[0], own_page[0]) == (200, 200)
    assert cors_headers(tool[2]) == cors_headers(own_page[2]) == {}


def test_the_aws_endpoint_refuses_what_a_browser_says_another_site_sent(stack: Stack) -> None:
    # An <img> or a link on another site: a GET without Origin
    answer = call(
        f"{stack.cloud.aws_url}/moto-api/data.json", headers={"Sec-Fetch-Site": "cross-site"}
    )

    assert answer[:2] == (403, "request sent by another site refused")


def test_tools_reach_the_aws_endpoint_under_either_loopback_name(stack: Stack) -> None:
    region = stack.cloud.deployment.stack.region
    by_name = AwsEndpoint(f"http://localhost:{port_of(stack.cloud.aws_url)}", region)

    listed = by_name.client("sqs").list_queues()["QueueUrls"]

    # moto writes queue URLs with the host the request named
    assert [url.replace("localhost:", "127.0.0.1:") for url in sorted(listed)] == queues(stack)


def test_no_site_can_be_added_to_the_aws_endpoints_hosts(stack: Stack) -> None:
    aws = stack.cloud.aws_url
    rebound = f"evil.example:{port_of(aws)}"

    from_a_page = call(f"{aws}{HOSTS_PATH}/127.0.0.2:9", "PUT", headers={"Origin": EVIL})
    a_name = call(f"{aws}{HOSTS_PATH}/{rebound}", "PUT")

    assert from_a_page[:2] == (403, "cross-origin request refused")
    assert a_name[:2] == (400, "address:port expected")
    assert call(f"{aws}/moto-api/", headers={"Host": rebound})[0] == 421


# the HTTP API gateway


def test_the_gateway_refuses_a_host_that_is_not_its_own(stack: Stack) -> None:
    rebound = {"Host": f"evil.example:{port_of(stack.api)}"}

    answer = call(f"{stack.api}/health", headers=rebound)

    assert answer[:2] == (421, {"message": "unknown host"})


def test_the_gateway_refuses_a_page_of_another_origin(stack: Stack) -> None:
    me = "page-victim@example.com"
    token = stack.token(me)  # even one the page has somehow

    public = call(f"{stack.api}/health", headers={"Origin": EVIL})
    send = call(
        f"{stack.api}/send-notification/{me}", "POST", token=token, headers={"Origin": EVIL}
    )
    preflight = call(f"{stack.api}/send-notification/{me}", "OPTIONS", headers=PREFLIGHT)

    for status, body, headers in (public, send, preflight):
        assert (status, body) == (403, {"message": "cross-origin request refused"})
        assert cors_headers(headers) == {}


def test_the_gateway_serves_its_own_names(stack: Stack) -> None:
    port = port_of(stack.api)

    assert call(f"{stack.api}/health", headers={"Host": f"127.0.0.1:{port}"})[0] == 200
    assert call(f"{stack.api}/health", headers={"Host": f"localhost:{port}"})[0] == 200
    own_page = {"Origin": stack.api, "Sec-Fetch-Site": "same-origin"}
    assert call(f"{stack.api}/health", headers=own_page)[0] == 200


# the relay of `sam local` containers


def answer_to(address: tuple[str, int], request: bytes) -> bytes:
    """What the server at `address` sends back to `request` before it closes (b"" if it closes
    the connection without a word)."""
    with socket.create_connection(address, timeout=10) as sock:
        try:
            sock.sendall(request)
            received = b""
            while chunk := sock.recv(65536):
                received += chunk
            return received
        except (ConnectionResetError, BrokenPipeError):
            return b""


def request(host: str, path: str = "/moto-api/", method: str = "GET", **headers: str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.fixture
def running_containers() -> dict[str, Any]:
    """What the Docker engine lists as the SAM CLI's running containers; tests change it."""
    return {"/containers/json": (200, [sam_container("c1", "172.17.0.2")])}


@pytest.fixture
def relay(
    stack: Stack, tmp_path: Path, running_containers: dict[str, Any]
) -> Iterator[tuple[Relay, list[str]]]:
    refused: list[str] = []
    with docker_engine(tmp_path / "docker.sock", running_containers) as docker:
        # On loopback here: this test's connections come from 127.0.0.1, which plays a peer on
        # the bridge that is neither a container of the SAM CLI nor this machine (172.17.0.1).
        peers = SamContainers(
            lambda: docker.addresses(SAM_CONTAINER_LABEL),
            lambda address, why: refused.append(f"{address}: {why}"),
            own=lambda address: address == "172.17.0.1",
        )
        relay = Relay("127.0.0.1", ("127.0.0.1", port_of(stack.cloud.aws_url)), peers)
        relay.start()
        yield relay, refused
        relay.stop()


def test_the_relay_refuses_a_peer_that_is_not_a_sam_local_container(
    relay: tuple[Relay, list[str]], running_containers: dict[str, Any]
) -> None:
    served, refused = relay
    parts = urlsplit(served.url)
    address = (str(parts.hostname), int(parts.port or 0))

    assert answer_to(address, request(parts.netloc, "/moto-api/data.json")) == b""
    assert refused == ["127.0.0.1: not a container of the SAM CLI"]
    # The same connection from a container the SAM CLI runs is relayed
    running_containers["/containers/json"] = (200, [sam_container("c2", "127.0.0.1")])
    assert answer_to(address, request(parts.netloc)).startswith(b"HTTP/1.1 200 ")


def test_through_the_relay_the_endpoint_refuses_a_foreign_host_or_origin(
    relay: tuple[Relay, list[str]], running_containers: dict[str, Any]
) -> None:
    served, _ = relay
    running_containers["/containers/json"] = (200, [sam_container("c2", "127.0.0.1")])
    parts = urlsplit(served.url)
    address = (str(parts.hostname), int(parts.port or 0))

    rebound = answer_to(address, request(f"evil.example:{parts.port}"))
    page = answer_to(address, request(parts.netloc, Origin=EVIL))
    a_change = answer_to(address, request(parts.netloc, f"{HOSTS_PATH}/127.0.0.2:9", "PUT"))

    assert rebound.startswith(b"HTTP/1.1 421 ")
    assert page.startswith(b"HTTP/1.1 403 ")
    # Only a request naming the endpoint itself may change the hosts it answers
    assert a_change.startswith(b"HTTP/1.1 403 ")
    assert a_change.endswith(b"only the server's own host")
