"""The Docker engine, asked over its API before `sam local` starts: whether it answers, where
containers reach this machine, whether an image is here; and after, for the containers left
behind. An engine of our own on a unix socket answers as Docker's does (its documented JSON);
the real one is asked in `make test-sam-local`."""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from offload_local.sam.docker import DockerEngine, DockerError
from tests.docker_engine import Routes, docker_engine, sam_container


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Callable[..., DockerEngine]]:
    sockets = itertools.count()
    with ExitStack() as stack:

        def start(routes: Routes, asked: list[str] | None = None) -> DockerEngine:
            path = tmp_path / f"docker-{next(sockets)}.sock"
            return stack.enter_context(docker_engine(path, routes, asked))

        yield start


def bridge(config: list[dict[str, str]]) -> dict[str, Any]:
    return {"Name": "bridge", "IPAM": {"Driver": "default", "Config": config}}


def test_an_engine_that_answers(engine: Callable[..., DockerEngine]) -> None:
    docker = engine({"/_ping": (200, b"OK")})

    docker.ping()


@pytest.mark.parametrize(
    ("config", "gateway"),
    [
        ([{"Subnet": "172.17.0.0/16", "Gateway": "172.17.0.1"}], "172.17.0.1"),
        # Docker 20.10's default bridge reports only its subnet; its gateway is the first address
        ([{"Subnet": "172.18.0.0/16"}], "172.18.0.1"),
        (
            [{"Subnet": "fd00::/64"}, {"Subnet": "10.9.0.0/24", "Gateway": "10.9.0.254"}],
            "10.9.0.254",
        ),
    ],
)
def test_the_gateway_containers_reach_this_machine_at(
    engine: Callable[..., DockerEngine], config: list[dict[str, str]], gateway: str
) -> None:
    docker = engine({"/networks/bridge": (200, bridge(config))})

    assert docker.gateway() == gateway


def test_a_public_gateway_is_refused(engine: Callable[..., DockerEngine]) -> None:
    docker = engine({"/networks/bridge": (200, bridge([{"Subnet": "8.8.8.0/24"}]))})

    with pytest.raises(DockerError, match="not a private address"):
        docker.gateway()


def test_a_network_docker_does_not_have(engine: Callable[..., DockerEngine]) -> None:
    with pytest.raises(DockerError, match="Docker has no network 'elsewhere'"):
        engine({}).gateway("elsewhere")


def test_whether_an_image_is_here(engine: Callable[..., DockerEngine]) -> None:
    image = "public.ecr.aws/lambda/python:3.13-x86_64"
    docker = engine({f"/images/{image}/json": (200, {"Id": "sha256:0"})})

    assert docker.has_image(image)
    assert not docker.has_image("public.ecr.aws/lambda/python:3.12-x86_64")


def test_the_containers_of_a_label_and_their_environment(
    engine: Callable[..., DockerEngine],
) -> None:
    docker = engine(
        {
            "/containers/json": (200, [{"Id": "c1"}, {"Id": "c2"}]),
            "/containers/c1/json": (200, {"Config": {"Env": ["AWS_ENDPOINT_URL=http://x:1"]}}),
            "DELETE /containers/c1": (204, b""),
        }
    )

    assert docker.containers("sam.cli.container.type=lambda") == ["c1", "c2"]
    assert docker.environment_of("c1") == ["AWS_ENDPOINT_URL=http://x:1"]
    assert docker.environment_of("c2") == []  # gone meanwhile
    docker.remove("c1")
    docker.remove("c2")  # gone already: nothing to do


def test_the_addresses_of_the_running_containers_of_a_label(
    engine: Callable[..., DockerEngine],
) -> None:
    dual_stack = sam_container("c2", "172.17.0.3")
    dual_stack["NetworkSettings"]["Networks"]["sam-net"] = {
        "IPAddress": "10.9.0.7",
        "GlobalIPv6Address": "fd00::7",
    }
    not_started = sam_container("c3", "")
    asked: list[str] = []
    docker = engine(
        {"/containers/json": (200, [sam_container("c1", "172.17.0.2"), dual_stack, not_started])},
        asked,
    )

    assert docker.addresses("sam.cli.container.type=lambda") == {
        "172.17.0.2",
        "172.17.0.3",
        "10.9.0.7",
        "fd00::7",
    }
    # Running ones only: a stopped container's address may be another's already.
    (query,) = asked
    assert json.loads(query.partition("filters=")[2]) == {
        "label": ["sam.cli.container.type=lambda"],
        "status": ["running"],
    }


def test_no_engine_at_all(tmp_path: Path) -> None:
    docker = DockerEngine(f"unix://{tmp_path}/docker.sock")

    with pytest.raises(DockerError) as raised:
        docker.ping()

    assert str(raised.value).startswith(f"no Docker engine at unix://{tmp_path}/docker.sock")
    assert "`offload-local up`, which runs the functions without Docker" in str(raised.value)


def test_an_engine_that_is_not_running(tmp_path: Path) -> None:
    # Its socket is left behind; nothing listens on it any more.
    path = tmp_path / "docker.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))

    with pytest.raises(DockerError, match=r"is not answering \(Connection refused\)"):
        DockerEngine(f"unix://{path}").ping()


def test_an_engine_that_does_not_answer(tmp_path: Path) -> None:
    path = tmp_path / "docker.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        sock.listen()

        with pytest.raises(DockerError, match=r"is not answering \(no answer within 0.5 s\)"):
            DockerEngine(f"unix://{path}", timeout=0.5).ping()


def test_an_engine_address_that_is_not_supported() -> None:
    with pytest.raises(DockerError, match="only unix:// and tcp://"):
        DockerEngine("ssh://me@example.com").ping()


def test_docker_host_is_where_the_engine_is() -> None:
    assert DockerEngine.from_environment({"DOCKER_HOST": "tcp://127.0.0.1:2375"}).host == (
        "tcp://127.0.0.1:2375"
    )
    assert DockerEngine.from_environment({}).host == "unix:///var/run/docker.sock"
