"""The template's JWT authorizers, asked by an API function that `sam local start-api` runs.

SAM's local API runs no JWT authorizer: the function receives every request, token or not,
with no claims. While `offload-local sam` runs, the API function (under `sam local` only:
see SAM_LOCAL_AUTHORIZER_URL in the application's settings) hands each request event no authorizer
has seen to this service, which makes API Gateway's decision with the local gateway's own
validators: the route's authorizer if it has one (none: the request goes on as it is), then the
token's signature, issuer, audience, times and scopes. The answer is what API Gateway would
have done: the authorizer context to put in the event, or the response to send instead.

    POST / {"function": "<name>", "event": <the HTTP API event, without its body>}
    200 {"authorizer": {"jwt": {"claims": {...}, "scopes": null}} | null}
    200 {"response": {"statusCode": 401, "headers": {...}, "body": "{\\"message\\":..."}}

Like the relay beside it, it serves only the SAM CLI's containers (`peers`), and only requests
naming its own address, from no web page (offload_local/host_check.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from offload_local.console import Console
from offload_local.content_length import ContentLengthError, content_length
from offload_local.errors import UnknownFunctionError
from offload_local.gateway.authorizer import JwtValidator, Refused
from offload_local.gateway.events import HttpRequest
from offload_local.gateway.routes import select_route
from offload_local.host_check import HostCheck
from offload_local.provision.deployment import Deployment, HttpApi
from offload_local.serving import Serving, bind

_MAX_REQUEST_BYTES = 1024 * 1024


class AuthorizerService:
    """Serves the decisions of `validators` (by API logical id, then authorizer name)."""

    def __init__(
        self,
        deployment: Deployment,
        validators: Mapping[str, Mapping[str, JwtValidator]],
        console: Console,
        host: str,
        peers: Callable[[str], bool],
    ) -> None:
        self._deployment = deployment
        self._validators = validators
        self._console = console
        self._host = host
        self._peers = peers
        self._serving: Serving | None = None
        self.host_check = HostCheck([])

    @property
    def url(self) -> str:
        if self._serving is None:
            raise RuntimeError("the authorizer service is not started")
        return f"{self._serving.url}/"

    def decide(self, function: str, event: Mapping[str, Any]) -> dict[str, Any]:
        """What API Gateway does with this request before invoking `function`."""
        context = event.get("requestContext") or {}
        method = str((context.get("http") or {}).get("method", "GET"))
        path = str(event.get("rawPath") or "/")
        query = str(event.get("rawQueryString") or "")
        request = HttpRequest(
            method=method,
            target=f"{path}?{query}" if query else path,
            headers=[(str(k), str(v)) for k, v in (event.get("headers") or {}).items()],
        )
        for api in self._apis_of(function):
            match = select_route(api.routes, method, path)
            if match is None:
                continue
            route = match.route
            if route.authorizer is None:
                return {"authorizer": None}
            decision = self._validators[api.logical_id][route.authorizer].authorize(
                request, route.scopes
            )
            if isinstance(decision, Refused):
                self._console.line("authorizer", f"{method} {path}: {decision.reason}")
                response = decision.response(route.scopes)
                return {
                    "response": {
                        "statusCode": response.status,
                        "headers": dict(response.headers),
                        "body": response.body.decode(),
                    }
                }
            return {"authorizer": decision.context()}
        # No route of the template: nothing an authorizer would have checked.
        return {"authorizer": None}

    def _apis_of(self, function: str) -> list[HttpApi]:
        apis = list(self._deployment.http_apis.values())
        try:
            arn = self._deployment.function(function).arn
        except UnknownFunctionError:
            return apis
        return [api for api in apis if any(r.function_arn == arn for r in api.routes)] or apis

    def start(self) -> None:
        sock = bind(0, "authorizer for containers", self._host)
        self.host_check = HostCheck.serving(*sock.getsockname()[:2])
        self._serving = Serving(
            "authorizer", ThreadingHTTPServer, _handler(self), sock, peers=self._peers
        )

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None


def _handler(service: AuthorizerService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "local-authorizer"

        def do_POST(self) -> None:
            refusal = service.host_check.refusal(
                self.headers.get("Host"),
                self.headers.get("Origin"),
                self.headers.get("Sec-Fetch-Site"),
            )
            if refusal is not None:
                self.close_connection = True
                self._send(refusal.status, {"message": refusal.reason})
                return
            try:
                length = content_length(self.headers.get_all("content-length"))
            except ContentLengthError as exc:
                self.close_connection = True
                self._send(400, {"message": str(exc)})
                return
            try:
                if length > _MAX_REQUEST_BYTES:
                    self.close_connection = True  # its body is left unread
                    raise ValueError("request too large")
                request = json.loads(self.rfile.read(length))
                answer = service.decide(str(request["function"]), request["event"])
                status = 200
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                answer, status = {"message": f"not an authorization request: {exc}"}, 400
            self._send(status, answer)

        def _send(self, status: int, answer: Any) -> None:
            body = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            if self.close_connection:
                self.send_header("connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # refusals are written by the service, with their reason

    return Handler
