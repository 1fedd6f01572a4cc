"""The relay containers reach the local cloud through: every connection passed on byte for
byte (a boto3 client through it works as against the endpoint itself), none once stopped."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from offload_local.sam.relay import Relay


@pytest.fixture
def relay(moto_server: MotoServer) -> Iterator[Relay]:
    moto_server.reset()
    relay = Relay("127.0.0.1", ("127.0.0.1", moto_server.port))
    relay.start()
    yield relay
    relay.stop()


def test_the_aws_endpoint_through_the_relay(relay: Relay) -> None:
    aws = AwsEndpoint(relay.url, "us-east-1")
    s3 = aws.client("s3")
    payload = bytes(range(256)) * 8192  # 2 MiB, every byte value

    s3.create_bucket(Bucket="through-the-relay")
    s3.put_object(Bucket="through-the-relay", Key="k", Body=payload)

    assert s3.get_object(Bucket="through-the-relay", Key="k")["Body"].read() == payload


def test_nothing_listens_once_it_stops(relay: Relay) -> None:
    import socket

    parts = urlsplit(relay.url)
    relay.stop()

    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection((str(parts.hostname), int(parts.port or 0)), timeout=2),
    ):
        pass
