"""How the local cloud's services listen: a connection from a peer they do not serve is closed
unread, and a peer check that fails refuses that one connection, never the server."""

from __future__ import annotations

import socket
import socketserver
from collections.abc import Callable, Iterator

import pytest

from offload_local.serving import Serving, bind


class Echo(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        self.wfile.write(self.rfile.readline())


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[str], bool]], Serving]]:
    started: list[Serving] = []

    def start(peers: Callable[[str], bool]) -> Serving:
        serving = Serving("echo", socketserver.ThreadingTCPServer, Echo, bind(0, "echo"), peers)
        started.append(serving)
        return serving

    yield start
    for serving in started:
        serving.stop()


def echo(serving: Serving) -> bytes:
    with socket.create_connection((serving.host, serving.port), timeout=10) as sock:
        try:
            sock.sendall(b"hello\n")
            return sock.recv(64)
        except ConnectionResetError:
            return b""


def test_only_the_peers_it_serves_are_answered(
    serve: Callable[[Callable[[str], bool]], Serving],
) -> None:
    asked: list[str] = []

    def everyone(peer: str) -> bool:
        asked.append(peer)
        return True

    assert echo(serve(everyone)) == b"hello\n"
    assert echo(serve(lambda peer: False)) == b""
    assert asked == ["127.0.0.1"]


def test_a_peer_check_that_fails_refuses_one_connection(
    serve: Callable[[Callable[[str], bool]], Serving],
) -> None:
    calls: list[str] = []

    def peers(address: str) -> bool:
        calls.append(address)
        if len(calls) == 1:
            raise RuntimeError("the check itself failed")
        return True

    serving = serve(peers)

    assert echo(serving) == b""
    assert echo(serving) == b"hello\n"  # still serving
