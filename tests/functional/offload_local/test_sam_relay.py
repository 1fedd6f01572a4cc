"""The relay containers reach the local cloud through: every connection it admits passed on byte
for byte (a boto3 client through it works as against the endpoint itself), the endpoint
answering the relay's address only while it runs, nothing listening once stopped. (Peers it
does not admit: tests/security/test_local_endpoints.py.)"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from offload_local.sam.relay import Relay


@pytest.fixture
def relay(moto_server: MotoServer) -> Iterator[Relay]:
    moto_server.reset()
    # On loopback here: the test's connections come from 127.0.0.1, a container's would come
    # from its address on the bridge.
    relay = Relay("127.0.0.1", ("127.0.0.1", moto_server.port), lambda peer: peer == "127.0.0.1")
    relay.start()
    yield relay
    relay.stop()


def status_naming(server: MotoServer, host: str) -> int:
    """The status moto's server answers a request that names `host` as its host."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request("GET", "/moto-api/", headers={"Host": host})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_the_aws_endpoint_through_the_relay(relay: Relay) -> None:
    aws = AwsEndpoint(relay.url, "us-east-1")
    s3 = aws.client("s3")
    payload = bytes(range(256)) * 8192  # 2 MiB, every byte value

    s3.create_bucket(Bucket="through-the-relay")
    s3.put_object(Bucket="through-the-relay", Key="k", Body=payload)

    assert s3.get_object(Bucket="through-the-relay", Key="k")["Body"].read() == payload


def test_the_endpoint_answers_the_relays_address_only_while_it_runs(
    relay: Relay, moto_server: MotoServer
) -> None:
    address = urlsplit(relay.url).netloc
    assert status_naming(moto_server, address) == 200

    relay.stop()

    assert status_naming(moto_server, address) == 421


def test_nothing_listens_once_it_stops(relay: Relay) -> None:
    parts = urlsplit(relay.url)
    relay.stop()

    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((str(parts.hostname), int(parts.port or 0)), timeout=2),
    ):
        pass
