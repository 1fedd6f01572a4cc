"""moto's server on the loopback interface: the AWS APIs of the local cloud.

ThreadedMotoServer binds inside its thread, so a port in use hangs `start()` (werkzeug exits
that thread instead of raising). Binding here, in the caller's thread, turns it into a clear
error; the serving loop is moto's own application in werkzeug's threaded server, as in
ThreadedMotoServer. moto's state is process-wide: one local cloud per process.
"""

from __future__ import annotations

import errno
import socket
import threading
from typing import Any

from infra.email import sends as ses_sends
from infra.errors import PortInUseError

LOOPBACK = "127.0.0.1"
DEFAULT_AWS_PORT = 4566


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


def stop_serving(server: Any, thread: threading.Thread | None) -> None:
    """Stop a socketserver-style server (serve_forever in `thread`) and free its port."""
    if server is None:
        return
    server.shutdown()
    server.server_close()
    if thread is not None:
        thread.join(timeout=10)


class MotoServer:
    """moto's server application on 127.0.0.1, started and stopped with the local cloud."""

    def __init__(self, port: int = DEFAULT_AWS_PORT, host: str = LOOPBACK) -> None:
        self._host = host
        self._requested_port = port
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the AWS endpoint is not started")
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            # One line per AWS call would bury the functions' own logs.
            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                pass

        sock = bind(self._requested_port, "AWS endpoint (--aws-port)", self._host)
        try:
            self._server = make_server(
                self._host,
                sock.getsockname()[1],
                # Keeps what moto's SESv2 drops: the configuration set of each send.
                ses_sends.SendRecorder(DomainDispatcherApplication(create_backend_app)),
                threaded=True,
                request_handler=QuietHandler,
                fd=sock.fileno(),
            )
        finally:
            # werkzeug serves a duplicate of the descriptor; this one is no longer needed.
            sock.close()
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="moto-server", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        stop_serving(self._server, self._thread)
        self._server = None

    @staticmethod
    def reset() -> None:
        """Forget every resource (moto's state is global to the process)."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        ses_sends.reset()
