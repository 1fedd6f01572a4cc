"""The peers the `sam local` services on the Docker bridge serve: the containers the SAM CLI
runs functions in, and this machine itself; no other container on the bridge.

The relay and the authorizer service listen on the bridge's gateway, which every container on
this machine reaches, whoever started it. Each connection's address is checked against the
running containers that carry the SAM CLI's label, asked of Docker at that moment: the SAM CLI
starts containers as requests come, and an address is given to another container as soon as
one stops, so a list kept from earlier would both miss new ones and admit strangers. A question
to the local engine costs a few milliseconds, and only a new connection asks it.

This machine connects from one of its own addresses (the kernel picks which: the gateway's, or
another interface's), which no container can hold: the developer's tools follow the URLs the
functions write with the relay's address (a presigned upload, a thumbnail's link). Admitting
them opens nothing new: every process here reaches the endpoint on 127.0.0.1 anyway, and a
browser's requests are refused there as here (offload_local/aws/hosts.py).
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Collection

from offload_local.sam.docker import DockerError

#: The label the SAM CLI puts on the containers it runs functions in.
SAM_CONTAINER_LABEL = "sam.cli.container.type=lambda"


def held_here(address: str) -> bool:
    """Whether `address` is one of this machine's own: only those can be bound to here (a
    container's address is its own network namespace's)."""
    try:
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as probe:
            probe.bind((address, 0))
    except OSError:
        return False
    return True


class SamContainers:
    """`peers(address)`: whether a connection from `address` comes from a running container of
    the SAM CLI, or from this machine (`own(address)`). `addresses()` lists those containers'
    addresses (DockerEngine.addresses); `refused(address, why)` hears of every connection
    refused."""

    def __init__(
        self,
        addresses: Callable[[], Collection[str]],
        refused: Callable[[str, str], None] | None = None,
        own: Callable[[str], bool] = held_here,
    ) -> None:
        self._addresses = addresses
        self._refused = refused
        self._own = own

    def __call__(self, address: str) -> bool:
        if self._own(address):
            return True
        try:
            admitted = address in self._addresses()
            why = "not a container of the SAM CLI"
        except DockerError as exc:
            # Without an answer from Docker nobody is known: refused, and said why.
            admitted, why = False, str(exc)
        if not admitted and self._refused is not None:
            self._refused(address, why)
        return admitted
