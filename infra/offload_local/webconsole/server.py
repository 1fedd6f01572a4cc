"""The console's web server: a static page and a small JSON API, on 127.0.0.1 only.

It acts with the operator's credentials, so a page elsewhere in their browser must not use it:
a request must name this server and come from no other site (offload_local/host_check.py), and
every change (redrive, delete) needs the token embedded in the console's own page, sent in a
header a cross-origin page cannot send without a CORS preflight this server never answers.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from offload_local.content_length import ContentLengthError, content_length
from offload_local.host_check import HostCheck
from offload_local.serving import LOOPBACK, Serving, bind
from offload_local.webconsole import charts, dead_letters, overview, tasks
from offload_local.webconsole.stack import ConsoleError, Target

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"console.js": "text/javascript", "console.css": "text/css"}
TOKEN_HEADER = "X-Console-Token"  # noqa: S105 - a header name, not a secret
#: A default port clear of the HTTP API's (3000) and the AWS endpoint's (4566).
DEFAULT_PORT = 3100
_MAX_BODY = 64 * 1024
_TASK = re.compile(r"^/api/tasks/([^/]+)$")
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ConsoleServer:
    """Serves the console for one target until stopped."""

    def __init__(self, target: Target, port: int = 0, host: str = LOOPBACK) -> None:
        self.target = target
        self.token = secrets.token_urlsafe(24)
        self._host = host
        self._port = port
        self._serving: Serving | None = None
        self.host_check = HostCheck([])

    @property
    def url(self) -> str:
        if self._serving is None:
            raise RuntimeError("the console is not started")
        return self._serving.url

    def start(self) -> None:
        sock = bind(self._port, "console (--console-port)", self._host)
        self.host_check = HostCheck.serving(*sock.getsockname()[:2])
        self._serving = Serving("console", _Server, _handler(self), sock)

    def stop(self) -> None:
        if self._serving is not None:
            self._serving.stop()
            self._serving = None

    def routes(self) -> dict[str, Callable[[dict[str, list[str]]], Any]]:
        target = self.target
        return {
            "/api/overview": lambda query: {
                "stack": _stack(target),
                "queues": overview.queues(target),
                "alarms": overview.alarms(target),
            },
            "/api/charts": lambda query: charts.charts(target, query.get("window", ["hour"])[0]),
            "/api/failures": lambda query: {"failures": tasks.recent_failures(target)},
            "/api/dead-letters": lambda query: {"queues": dead_letters.dead_letters(target)},
        }

    def actions(self) -> dict[str, Callable[[dict[str, Any]], Any]]:
        target = self.target
        return {
            "/api/dead-letters/redrive": lambda body: dead_letters.redrive_messages(
                target, _text(body, "queue"), _ids(body, required=False)
            ),
            "/api/dead-letters/delete": lambda body: dead_letters.delete_messages(
                target, _text(body, "queue"), _ids(body, required=True) or []
            ),
        }


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A page closed mid-answer is not an error worth a traceback.
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


def _stack(target: Target) -> dict[str, Any]:
    view = target.view()
    # The stack's CloudWatch dashboard, if its template has one (its name is its physical id).
    dashboard = next(iter(sorted(view.of_type("AWS::CloudWatch::Dashboard").values())), None)
    return {
        "name": view.name,
        "region": view.region,
        "kind": view.kind,
        "dashboard": dashboard,
        "dashboard_url": (
            f"https://{view.region}.console.aws.amazon.com/cloudwatch/home?region={view.region}"
            f"#dashboards/dashboard/{dashboard}"
            if dashboard and view.kind == "deployed"
            else None
        ),
    }


def _text(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise ConsoleError(f"{name} is required", status=400)
    return value


def _ids(body: dict[str, Any], required: bool) -> list[str] | None:
    value = body.get("message_ids")
    if value is None and not required:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ConsoleError("message_ids is a list of message ids", status=400)
    return value


def _handler(console: ConsoleServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "offload-console"

        def log_message(self, format: str, *args: Any) -> None:
            logger.debug("console: " + format, *args)

        def do_GET(self) -> None:
            if not self._trusted_request():
                return
            parts = urlsplit(self.path)
            path = parts.path
            if path == "/":
                page = (STATIC / "index.html").read_text().replace("{{token}}", console.token)
                self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
                return
            if path.startswith("/static/") and path[len("/static/") :] in ASSETS:
                name = path[len("/static/") :]
                self._send(
                    HTTPStatus.OK, (STATIC / name).read_bytes(), f"{ASSETS[name]}; charset=utf-8"
                )
                return
            route = console.routes().get(path)
            task = _TASK.match(path)
            if route is not None:
                self._answer(lambda: route(parse_qs(parts.query)))
            elif task is not None:
                self._answer(lambda: tasks.task_page(console.target, task.group(1)))
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def do_POST(self) -> None:
            if not self._trusted_request():
                return
            action = console.actions().get(urlsplit(self.path).path)
            if action is None:
                self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
                return
            if not secrets.compare_digest(self.headers.get(TOKEN_HEADER, ""), console.token):
                self._json(
                    HTTPStatus.FORBIDDEN, {"error": "only the console's own page may do this"}
                )
                return
            try:
                length = content_length(self.headers.get_all("Content-Length"))
            except ContentLengthError as exc:
                self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
                return
            if length > _MAX_BODY or not (self.headers.get("Content-Type") or "").startswith(
                "application/json"
            ):
                self._json(HTTPStatus.BAD_REQUEST, {"error": "a JSON body is expected"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                self._json(HTTPStatus.BAD_REQUEST, {"error": "a JSON object is expected"})
                return
            self._answer(lambda: action(body))

        def _trusted_request(self) -> bool:
            refusal = console.host_check.refusal(
                self.headers.get("Host"),
                self.headers.get("Origin"),
                self.headers.get("Sec-Fetch-Site"),
            )
            if refusal is not None:
                self._json(refusal.status, {"error": refusal.reason})
                return False
            return True

        def _answer(self, produce: Callable[[], Any]) -> None:
            try:
                result = produce()
            except ConsoleError as exc:
                self._json(HTTPStatus(exc.status), {"error": str(exc)})
            except ValueError as exc:
                self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            except Exception as exc:
                logger.exception("console request failed")
                self._json(
                    HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"{type(exc).__name__}: {exc}"}
                )
            else:
                self._json(HTTPStatus.OK, result)

        def _json(self, status: HTTPStatus, value: Any) -> None:
            body = json.dumps(value, default=str).encode()
            self._send(status, body, "application/json")

        def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in _HEADERS.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
