"""One HTTP request written byte for byte, for requests no client library sends: a malformed
Content-Length, two of them, a chunk size that is not hex."""

from __future__ import annotations

import http.client
import socket
from urllib.parse import urlsplit


def exchange(url: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `request` to the server at `url`; its answer's status, headers (lower-case names)
    and body. A server that never answers fails the test at the socket's timeout."""
    parts = urlsplit(url)
    with socket.create_connection((str(parts.hostname), int(parts.port or 80)), timeout=10) as sock:
        sock.sendall(request)
        response = http.client.HTTPResponse(sock)
        response.begin()
        with response:
            return (
                response.status,
                {name.lower(): value for name, value in response.getheaders()},
                response.read(),
            )
