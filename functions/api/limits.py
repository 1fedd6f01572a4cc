"""Request size and content-type limits, enforced before an endpoint reads the body.

FastAPI has neither a 413 nor a 415 of its own; under Lambda a body over 6 MB never arrives, but
anything below that would be read whole and parsed. This ASGI middleware answers 413 from the
Content-Length header when it can, and stops a streamed body as soon as it passes the limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    #: Accepted media types; empty accepts any.
    content_types: tuple[str, ...] = ()


class _TooLargeError(HTTPException):
    """An HTTPException, so that FastAPI's body reading re-raises it (it turns any other error
    into a 400) and its exception middleware answers 413."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"Request body is larger than {max_bytes} bytes")


class ContentLimits:
    def __init__(self, app: ASGIApp, default: Limit, routes: dict[str, Limit]) -> None:
        self._app = app
        self._default = default
        self._routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self._app(scope, receive, send)
            return
        limit = self._routes.get(scope["path"].rstrip("/") or "/", self._default)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if limit.content_types and media_type not in limit.content_types:
            await _error(
                send, 415, f"Content-Type must be one of: {', '.join(limit.content_types)}"
            )
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit.max_bytes:
            await _error(send, 413, f"Request body is larger than {limit.max_bytes} bytes")
            return

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit.max_bytes:
                    raise _TooLargeError(limit.max_bytes)
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted_receive, tracked_send)
        except _TooLargeError:
            if started:
                raise
            await _error(send, 413, f"Request body is larger than {limit.max_bytes} bytes")


async def _error(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
