"""An HTTP request as an API Gateway HTTP API event, payload format version 2.0.

Shape and quirks as API Gateway sends them: header names lower-cased and repeated headers
joined with commas, cookies moved out of the headers into `cookies`, repeated query parameters
joined with commas, optional keys left out when empty, and a body that is not text sent in
base64 with isBase64Encoded. HTTP APIs hand the path over percent-decoded (rawPath included).
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from offload_local.gateway.routes import Match

# Bodies of these types reach the function as text; anything else is base64-encoded.
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/javascript",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/graphql",
    "application/yaml",
)
_TEXT_SUFFIXES = ("+json", "+xml", "+yaml")


@dataclass(frozen=True)
class HttpRequest:
    """What the gateway read from the socket."""

    method: str
    target: str
    headers: Sequence[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    protocol: str = "HTTP/1.1"
    received_at: float = field(default_factory=time.time)


def is_text(content_type: str | None) -> bool:
    if not content_type:
        # API Gateway treats a body without a content type as text when it decodes as UTF-8.
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith(_TEXT_TYPES) or media.endswith(_TEXT_SUFFIXES)


def http_api_event(
    request: HttpRequest,
    match: Match,
    api_id: str,
    region: str,
    account_id: str,
    stage_variables: Mapping[str, str] | None = None,
    request_id: str | None = None,
    authorizer: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload 2.0 event API Gateway would send the integration for this request;
    `authorizer` is what the route's authorizer found (requestContext.authorizer)."""
    raw_path, _, raw_query = request.target.partition("?")
    path = unquote(raw_path)
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        key = name.lower()
        if key == "cookie":
            cookies.extend(part.strip() for part in value.split(";") if part.strip())
            continue
        headers[key] = f"{headers[key]},{value}" if key in headers else value
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    epoch_ms = int(request.received_at * 1000)
    host = headers.get("host", f"{api_id}.execute-api.{region}.amazonaws.com")
    domain = host.split(":", 1)[0]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": match.route.key,
        "rawPath": path,
        "rawQueryString": raw_query,
    }
    if cookies:
        event["cookies"] = cookies
    event["headers"] = headers
    if query:
        event["queryStringParameters"] = query
    event["requestContext"] = {
        "accountId": account_id,
        "apiId": api_id,
        **({"authorizer": dict(authorizer)} if authorizer is not None else {}),
        "domainName": domain,
        "domainPrefix": domain.split(".", 1)[0],
        "http": {
            "method": request.method.upper(),
            "path": path,
            "protocol": request.protocol,
            "sourceIp": request.source_ip,
            "userAgent": headers.get("user-agent", ""),
        },
        "requestId": request_id or _request_id(),
        "routeKey": match.route.key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(request.received_at)),
        "timeEpoch": epoch_ms,
    }
    if match.path_parameters:
        event["pathParameters"] = dict(match.path_parameters)
    if stage_variables:
        event["stageVariables"] = dict(stage_variables)
    if request.body:
        if is_text(headers.get("content-type")):
            try:
                event["body"] = request.body.decode("utf-8")
                event["isBase64Encoded"] = False
                return event
            except UnicodeDecodeError:
                pass
        event["body"] = base64.b64encode(request.body).decode()
        event["isBase64Encoded"] = True
    else:
        event["isBase64Encoded"] = False
    return event


def _request_id() -> str:
    # API Gateway's request ids look like "JKJaXmPLvHcESHA="; any unique string will do.
    return base64.b64encode(uuid.uuid4().bytes[:10]).decode()
