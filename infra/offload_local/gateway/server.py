"""The gateway's HTTP server: one thread per connection, each request through the function.

Before anything else, a request must name the gateway as its host and come from no other web
site (offload_local/host_check.py): a page in the developer's browser cannot call the local
API with the tokens `offload-local token` prints, nor reach it through a name of its own.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from offload_local.console import Console
from offload_local.content_length import ContentLengthError, content_length
from offload_local.functions.invocation import Invocation
from offload_local.gateway.authorizer import JwtValidator, Refused
from offload_local.gateway.events import HttpRequest, http_api_event
from offload_local.gateway.responses import HttpResponse, error_response, http_response
from offload_local.gateway.routes import select_route
from offload_local.gateway.throttle import RouteThrottles
from offload_local.host_check import HostCheck
from offload_local.provision.deployment import HttpApi
from offload_local.serving import LOOPBACK, Serving, bind

DEFAULT_PORT = 3000
# API Gateway's payload quota; larger requests never reach the function.
MAX_BODY_BYTES = 10 * 1024 * 1024

# A chunk's size line (hex digits, then extensions) is short; a longer one is not HTTP.
_MAX_CHUNK_LINE = 4096
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")

# Invokes a function, named by ARN, with an event.
Invoker = Callable[[str, Any], Invocation]


class Gateway:
    """Serves one HTTP API at http://127.0.0.1:<port>/ (its $default stage).

    A request goes through what API Gateway does before the integration, in its order: route
    selection (404), the stage's throttling of that route (429), the route's JWT authorizer
    (401/403); only then is the function invoked. `authorizers` holds a validator for every
    authorizer the API's routes name.
    """

    def __init__(
        self,
        api: HttpApi,
        invoke: Invoker,
        console: Console,
        region: str,
        account_id: str,
        port: int = DEFAULT_PORT,
        host: str = LOOPBACK,
        sock: socket.socket | None = None,
        authorizers: Mapping[str, JwtValidator] | None = None,
        throttles: RouteThrottles | None = None,
    ) -> None:
        self.api = api
        self._authorizers = dict(authorizers or {})
        named = {route.authorizer for route in api.routes if route.authorizer}
        missing = sorted(named - set(self._authorizers))
        if missing:
            raise ValueError(f"{api.logical_id}: no validator for authorizer {', '.join(missing)}")
        self._throttles = throttles or RouteThrottles(api)
        self._invoke = invoke
        self._console = console
        self._region = region
        self._account_id = account_id
        self._host = host
        self._requested_port = port
        # A socket bound earlier, so a taken port is reported before anything else starts.
        self._socket = sock
        self._serving: Serving | None = None
        self.host_check = HostCheck([])

    @property
    def url(self) -> str:
        if self._serving is None:
            raise RuntimeError("the gateway is not started")
        return self._serving.url

    def start(self) -> None:
        sock = self._socket or bind(self._requested_port, "HTTP API (--port)", self._host)
        self._socket = None
        self.host_check = HostCheck.serving(*sock.getsockname()[:2])
        self._serving = Serving("gateway", ThreadingHTTPServer, _handler(self), sock)

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

    def log(self, text: str) -> None:
        self._console.line("gateway", text)

    def handle(self, request: HttpRequest) -> HttpResponse:
        """One request, end to end; also usable without a socket (tests)."""
        match = select_route(self.api.routes, request.method, request.target.partition("?")[0])
        if match is None:
            return error_response(404, "Not Found")
        route = match.route
        if not self._throttles.allow(route.key):
            return error_response(429, "Too Many Requests")
        authorized = None
        if route.authorizer is not None:
            decision = self._authorizers[route.authorizer].authorize(request, route.scopes)
            if isinstance(decision, Refused):
                self.log(f"{request.method} {request.target}: {decision.reason}")
                return decision.response(route.scopes)
            authorized = decision.context()
        event = http_api_event(
            request,
            match,
            api_id=self.api.api_id,
            region=self._region,
            account_id=self._account_id,
            stage_variables=self.api.stage_variables,
            authorizer=authorized,
        )
        invocation = self._invoke(match.route.function_arn, event)
        if invocation.error is not None:
            self.log(
                f"{request.method} {request.target}: function error "
                f"{invocation.error.error_type}: {invocation.error.message}"
            )
        response = http_response(invocation)
        response.headers.append(("apigw-requestid", event["requestContext"]["requestId"]))
        return response


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, as browsers expect: every response carries a Content-Length.
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm on, the body waits for
        # the client's delayed ACK (about 40 ms on every response).
        disable_nagle_algorithm = True
        server_version = "local-http-api"

        def _serve(self) -> None:
            started = time.monotonic()
            refusal = gateway.host_check.refusal(
                self.headers.get("Host"),
                self.headers.get("Origin"),
                self.headers.get("Sec-Fetch-Site"),
            )
            if refusal is not None:
                gateway.log(f"{self.command} {self.path} -> {refusal.status}: {refusal.reason}")
                # The body is left unread: the connection ends with the answer.
                self._send(error_response(refusal.status, refusal.reason), close=True)
                return
            try:
                body = self._body()
            except _TooLarge:
                self._send(error_response(413, "Request Entity Too Large"), close=True)
                return
            except _Malformed:
                # Where this request's body ends is unknown: so is where a next one would start.
                self._send(error_response(400, "Bad Request"), close=True)
                return
            request = HttpRequest(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                protocol=self.request_version,
            )
            response = gateway.handle(request)
            elapsed = (time.monotonic() - started) * 1000
            # Logged before the response leaves: a client that has its answer finds the line
            # on the console already (the benchmarks read the console after each request).
            gateway.log(f"{self.command} {self.path} -> {response.status} ({elapsed:.0f} ms)")
            self._send(response)

        def _body(self) -> bytes:
            if self.headers.get("transfer-encoding", "").lower() == "chunked":
                return self._chunked()
            try:
                length = content_length(self.headers.get_all("content-length"))
            except ContentLengthError:
                raise _Malformed from None
            if length > MAX_BODY_BYTES:
                raise _TooLarge
            return self.rfile.read(length) if length else b""

        def _chunked(self) -> bytes:
            data = bytearray()
            while True:
                line = self.rfile.readline(_MAX_CHUNK_LINE + 1)
                size_field = line.split(b";", 1)[0].strip()
                if not _CHUNK_SIZE.fullmatch(size_field) or len(line) > _MAX_CHUNK_LINE:
                    raise _Malformed
                size = int(size_field, 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass  # trailers
                    return bytes(data)
                if len(data) + size > MAX_BODY_BYTES:
                    raise _TooLarge
                data += self.rfile.read(size)
                self.rfile.readline()

        def _send(self, response: HttpResponse, close: bool = False) -> None:
            self.send_response(response.status)
            for name, value in response.headers:
                if name.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one line per request is written by _serve, with its timing

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _serve

    return Handler


class _TooLarge(Exception):
    pass


class _Malformed(Exception):
    """A body whose length cannot be known: a bad Content-Length or chunk size."""
