"""A TCP relay from an address containers reach to the local cloud's AWS endpoint.

The local cloud listens on 127.0.0.1 only, which a container on Docker's bridge cannot reach.
While a `sam local` command runs, the relay listens on the bridge's gateway (a private address
of this machine, never 0.0.0.0) and passes each connection, byte for byte, to the endpoint.

Every container on the bridge reaches that address: a connection is taken only from a peer
`peers` admits (the SAM CLI's containers, offload_local/sam/containers.py), and closed unread
otherwise. The requests it passes on name the relay as their host; the endpoint answers them
only while the relay runs (offload_local/aws/hosts.py says why it is done there), and refuses,
as it does its own, those a web page sends.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import threading
from collections.abc import Callable

from offload_local.aws.hosts import admit_host, withdraw_host
from offload_local.errors import InfraError
from offload_local.serving import Serving, bind


class Relay:
    """Listens on `host` (a free port) and forwards each connection that `peers` admits, by
    the address it comes from, to the AWS endpoint at `target`."""

    def __init__(self, host: str, target: tuple[str, int], peers: Callable[[str], bool]) -> None:
        self._host = host
        self._target = target
        self._peers = peers
        self._serving: Serving | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        if self._serving is None:
            raise RuntimeError("the relay is not started")
        return self._serving.url

    @property
    def _endpoint(self) -> str:
        return f"http://{self._target[0]}:{self._target[1]}"

    def start(self) -> None:
        sock = bind(0, "relay for containers", self._host)
        own = f"{self._host}:{sock.getsockname()[1]}"
        try:
            admit_host(self._endpoint, own)
        except BaseException:
            sock.close()
            raise
        self._serving = Serving(
            "relay", socketserver.ThreadingTCPServer, self._handler(), sock, peers=self._peers
        )

    def stop(self) -> None:
        if self._serving is not None:
            serving, self._serving = self._serving, None
            serving.stop()
            # An endpoint that stopped first (the local cloud did) has forgotten it already.
            with contextlib.suppress(InfraError):
                withdraw_host(self._endpoint, f"{serving.host}:{serving.port}")
        with self._lock:
            for sock in self._open:
                sock.close()
            self._open.clear()

    def _handler(self) -> type[socketserver.BaseRequestHandler]:
        relay = self

        class Pipe(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                relay._pipe(self.request)

        return Pipe

    def _pipe(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(self._target, timeout=10)
        except OSError:
            return  # the client sees its connection closed, as with a server that is gone
        upstream.settimeout(None)
        with self._lock:
            self._open.update((client, upstream))
        try:
            _copy_both_ways(client, upstream)
        finally:
            with self._lock:
                self._open.difference_update((client, upstream))
            upstream.close()


def _copy_both_ways(one: socket.socket, other: socket.socket) -> None:
    """Copy until both sides have finished sending; a half-close is passed on as one."""
    peers = {one: other, other: one}
    with selectors.DefaultSelector() as selector:
        for sock in peers:
            selector.register(sock, selectors.EVENT_READ)
        while selector.get_map():
            for key, _ in selector.select():
                source: socket.socket = key.fileobj  # type: ignore[assignment]
                try:
                    data = source.recv(65536)
                except OSError:
                    return
                if data:
                    try:
                        peers[source].sendall(data)
                    except OSError:
                        return
                    continue
                selector.unregister(source)
                try:
                    peers[source].shutdown(socket.SHUT_WR)
                except OSError:
                    return
