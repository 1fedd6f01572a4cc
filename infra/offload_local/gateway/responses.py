"""A function's result as the HTTP response API Gateway (HTTP API, payload 2.0) would send."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from offload_local.functions.invocation import Invocation


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def error_response(status: int, message: str) -> HttpResponse:
    """API Gateway's own error answers: a JSON body with `message`."""
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("content-type", "application/json")], body)


def http_response(invocation: Invocation) -> HttpResponse:
    """Map an invocation to a response; errors become API Gateway's 500."""
    if not invocation.ok:
        return error_response(500, "Internal Server Error")
    result = invocation.result
    if not isinstance(result, dict) or "statusCode" not in result:
        # Payload 2.0 infers a response from any other valid JSON: 200, the JSON as the body.
        body = json.dumps(result).encode()
        return HttpResponse(200, [("content-type", "application/json")], body)
    try:
        return _proxy_response(result)
    except (TypeError, ValueError):
        # A malformed proxy response is an integration failure for API Gateway.
        return error_response(500, "Internal Server Error")


def _proxy_response(result: dict[str, Any]) -> HttpResponse:
    status = int(result["statusCode"])
    headers: list[tuple[str, str]] = []
    for name, value in (result.get("headers") or {}).items():
        headers.append((str(name), _header_value(value)))
    for name, values in (result.get("multiValueHeaders") or {}).items():
        if any(existing.lower() == str(name).lower() for existing, _ in headers):
            continue
        headers.extend((str(name), _header_value(v)) for v in values)
    headers.extend(("set-cookie", str(cookie)) for cookie in result.get("cookies") or [])
    raw = result.get("body")
    if raw is None:
        body = b""
    elif result.get("isBase64Encoded"):
        body = base64.b64decode(str(raw))
    else:
        body = raw.encode() if isinstance(raw, str) else json.dumps(raw).encode()
    return HttpResponse(status, headers, body)


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
