"""Who the `sam local` services on the Docker bridge serve: the SAM CLI's running containers,
asked of Docker at each connection, and this machine; nobody else, and no container at all when
Docker does not answer."""

from __future__ import annotations

from offload_local.sam.containers import SamContainers, held_here
from offload_local.sam.docker import DockerError

GATEWAY = "172.17.0.1"


def on_this_machine(address: str) -> bool:
    """This machine as the bridge sees it: its gateway address and its other interface's."""
    return address in {GATEWAY, "192.0.2.2"}


def test_a_running_container_of_the_sam_cli_is_served() -> None:
    peers = SamContainers(lambda: {"172.17.0.2", "172.17.0.3"}, own=on_this_machine)

    assert peers("172.17.0.3")


def test_any_other_peer_is_refused_and_said_why() -> None:
    refused: list[tuple[str, str]] = []
    peers = SamContainers(
        lambda: {"172.17.0.2"}, lambda peer, why: refused.append((peer, why)), on_this_machine
    )

    assert not peers("172.17.0.9")  # another container on the bridge
    assert not peers("10.9.0.4")  # one on another network
    assert refused == [
        ("172.17.0.9", "not a container of the SAM CLI"),
        ("10.9.0.4", "not a container of the SAM CLI"),
    ]


def test_this_machine_is_served_without_asking_docker() -> None:
    # The developer's tools following a URL a function wrote with the relay's address: the
    # kernel connects from the gateway's address, or from another interface's
    def docker_not_asked() -> set[str]:
        raise AssertionError("Docker asked about this machine's own address")

    peers = SamContainers(docker_not_asked, own=on_this_machine)
    assert peers(GATEWAY)
    assert peers("192.0.2.2")


def test_this_machines_addresses_are_those_it_can_bind() -> None:
    assert held_here("127.0.0.1")
    # TEST-NET-3 (RFC 5737) is nobody's: no interface of any machine holds it.
    assert not held_here("203.0.113.9")


def test_docker_is_asked_at_each_connection() -> None:
    # The SAM CLI starts containers as requests come; an address is reused once one stops.
    running = [{"172.17.0.2"}, {"172.17.0.4"}]
    peers = SamContainers(lambda: running.pop(0), own=on_this_machine)

    assert peers("172.17.0.2")
    assert not peers("172.17.0.2")


def test_without_an_answer_from_docker_no_container_is_served() -> None:
    def docker_gone() -> set[str]:
        raise DockerError("the Docker engine at unix:///var/run/docker.sock is not answering")

    refused: list[tuple[str, str]] = []
    peers = SamContainers(
        docker_gone, lambda peer, why: refused.append((peer, why)), on_this_machine
    )

    assert not peers("172.17.0.2")
    assert refused == [
        ("172.17.0.2", "the Docker engine at unix:///var/run/docker.sock is not answering")
    ]
