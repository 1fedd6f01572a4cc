"""Who moto's server answers: the developer's tools on this machine, never a web page.

moto needs no credentials, so whoever reaches its port could read every table and queue, dump
everything (`GET /moto-api/data.json`), wipe it (`POST /moto-api/reset`) or mint tokens of the
user pool; and moto grants CORS to every origin. `HostGuard`, outermost around moto's server
application, refuses a request that does not name the server as its host or that a browser
says comes from another web page (offload_local/host_check.py), before moto sees it; moto's own
CORS is switched off (MotoServer, offload_local/aws/server.py).

Containers of `sam local` reach the endpoint through a relay on the Docker bridge
(offload_local/sam/relay.py), which passes their requests on byte for byte: they name the
relay's address as their host. The relay could rewrite each request instead, but it would
then have to parse HTTP (keep-alive, chunked bodies) and the functions would be answered with
URLs naming an address they cannot reach (moto writes queue URLs and presigned URLs from the
Host). So the relay has the endpoint answer its address too while it runs:

    PUT /_local/hosts/<address:port>      204; from then on requests may name that host
    DELETE /_local/hosts/<address:port>   204; they may not any more

Only a request naming the server itself may change the list, and only an IP address and port
can be on it: a name could be one a web site makes resolve to this machine. A relay that dies
without saying so leaves an address nobody listens on; the list goes with the server.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, unquote

from offload_local.errors import InfraError
from offload_local.host_check import HostCheck

HOSTS_PATH = "/_local/hosts"

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class HostGuard:
    """Wraps moto's server application listening on host:port (see the module's docstring)."""

    def __init__(self, app: WsgiApp, host: str, port: int) -> None:
        self._app = app
        self._own = HostCheck.serving(host, port)
        self._check = HostCheck.serving(host, port)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        refusal = self._check.refusal(
            host, environ.get("HTTP_ORIGIN"), environ.get("HTTP_SEC_FETCH_SITE")
        )
        if refusal is not None:
            return _answer(start_response, refusal.status, refusal.reason)
        path = str(environ.get("PATH_INFO", ""))
        if not path.startswith(f"{HOSTS_PATH}/"):
            return self._app(environ, start_response)
        if host is None or host not in self._own:
            return _answer(start_response, HTTPStatus.FORBIDDEN, "only the server's own host")
        relay = unquote(path[len(HOSTS_PATH) + 1 :])
        method = environ.get("REQUEST_METHOD")
        if method == "PUT":
            try:
                self._check.admit(relay)
            except ValueError:
                return _answer(start_response, HTTPStatus.BAD_REQUEST, "address:port expected")
        elif method == "DELETE":
            self._check.withdraw(relay)
        else:
            return _answer(start_response, HTTPStatus.METHOD_NOT_ALLOWED, "PUT or DELETE")
        return _answer(start_response, HTTPStatus.NO_CONTENT, "")


def _answer(start_response: StartResponse, status: HTTPStatus, text: str) -> list[bytes]:
    body = text.encode()
    start_response(
        f"{status.value} {status.phrase}",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))],
    )
    return [body]


def admit_host(aws_url: str, host: str) -> None:
    """Have the local AWS endpoint at `aws_url` answer requests naming `host` too."""
    _change(aws_url, "PUT", host)


def withdraw_host(aws_url: str, host: str) -> None:
    """Have the endpoint stop answering requests naming `host`."""
    _change(aws_url, "DELETE", host)


def _change(aws_url: str, method: str, host: str) -> None:
    url = f"{aws_url}{HOSTS_PATH}/{quote(host, safe=':')}"
    request = urllib.request.Request(url, method=method)  # noqa: S310 - the local endpoint
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            response.read()
    except OSError as exc:
        change = "answer" if method == "PUT" else "stop answering"
        raise InfraError(
            f"the local AWS endpoint {aws_url} would not {change} requests naming {host}: {exc}"
        ) from None
