"""How the local cloud's own services listen: on a socket bound in the caller's thread, so that a
port in use is a clear error before anything starts, and served from a daemon thread until
stopped. The HTTP API gateway, the web console, and the authorizer and relay that `sam local`
containers reach all run this way.
"""

from __future__ import annotations

import errno
import logging
import socket
import socketserver
import threading
from collections.abc import Callable
from typing import Any

from offload_local.errors import PortInUseError

LOOPBACK = "127.0.0.1"

logger = logging.getLogger(__name__)


def bind(port: int, what: str, host: str = LOOPBACK) -> socket.socket:
    """A listening socket on host:port (0 picks a free port); a taken port is a PortInUseError."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        # Like every HTTP server: a port left in TIME_WAIT by a previous run can be reused.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUseError(
                f"port {port} on {host} is in use: stop whatever holds it or choose another "
                f"port for the {what}"
            ) from None
        raise
    return sock


class Serving:
    """A threading socketserver of `server_class` answering on `sock` with `handler`, from a
    daemon thread named `name`, until `stop()`; each connection gets a daemon thread too, so
    that a client holding one open never keeps the process alive.

    With `peers`, a connection is served only if `peers(address)` is true of the address it
    comes from; any other is closed before a byte is read.
    """

    def __init__(
        self,
        name: str,
        server_class: type[socketserver.TCPServer],
        handler: type[socketserver.BaseRequestHandler],
        sock: socket.socket,
        peers: Callable[[str], bool] | None = None,
    ) -> None:
        address = sock.getsockname()
        server: Any = server_class(address, handler, bind_and_activate=False)
        if peers is not None:
            # socketserver's hook for refusing a connection (it closes the socket when false),
            # set on this server rather than on a subclass of each server class.
            server.verify_request = _verifier(peers)
        # The server's own unbound socket is swapped for the one bound and listening already.
        server.socket.close()
        server.socket = sock
        server.server_address = address
        server.daemon_threads = True
        self.host: str = address[0]
        self.port: int = address[1]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        """Stop serving and free the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


def _verifier(peers: Callable[[str], bool]) -> Callable[[Any, Any], bool]:
    def verify_request(request: Any, client_address: Any) -> bool:
        try:
            return peers(str(client_address[0]))
        except Exception:
            # An error here would end serve_forever: the connection is refused instead.
            logger.exception("could not decide whether to serve %s", client_address[0])
            return False

    return verify_request
