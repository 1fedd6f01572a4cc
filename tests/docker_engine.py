"""A Docker engine of our own on a unix socket, answering as Docker's does (its documented
JSON) the paths a test gives it: for the tests of what the local cloud asks Docker, where no
Docker engine runs (the real one is asked in `make test-sam-local`)."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from offload_local.sam.docker import DockerEngine

#: Answers by path ("/containers/json"), or by "DELETE /path": (status, JSON value or bytes).
Routes = Mapping[str, tuple[int, Any]]


class _UnixHttpServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


@contextmanager
def docker_engine(
    socket_path: Path, routes: Routes, asked: list[str] | None = None
) -> Iterator[DockerEngine]:
    """An engine answering `routes` on `socket_path` while inside; the client for it. Each
    request's path and query, decoded, is added to `asked`."""

    class Handler(BaseHTTPRequestHandler):
        def parse_request(self) -> bool:
            parsed = super().parse_request()
            if parsed and asked is not None:
                asked.append(unquote(self.path))
            return parsed

        def do_GET(self) -> None:
            key = self.path.split("?")[0]
            self._answer(*routes.get(key, (404, {"message": "not found"})))

        def do_DELETE(self) -> None:
            key = f"DELETE {self.path.split('?')[0]}"
            self._answer(*routes.get(key, (404, {"message": "no such container"})))

        def _answer(self, status: int, payload: Any) -> None:
            body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def address_string(self) -> str:
            return "unix"

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = _UnixHttpServer(str(socket_path), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield DockerEngine(f"unix://{socket_path}", timeout=2)
    finally:
        server.shutdown()
        server.server_close()


def sam_container(container_id: str, address: str) -> dict[str, Any]:
    """A running container of the SAM CLI as `GET /containers/json` lists it."""
    return {
        "Id": container_id,
        "Labels": {"sam.cli.container.type": "lambda"},
        "State": "running",
        "NetworkSettings": {"Networks": {"bridge": {"IPAddress": address}}},
    }
