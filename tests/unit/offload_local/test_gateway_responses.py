"""Function results as the HTTP responses API Gateway (payload 2.0) sends."""

from __future__ import annotations

import base64
from typing import Any

from offload_local.functions.invocation import FunctionError, Invocation
from offload_local.gateway.responses import http_response


def respond(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    response = http_response(Invocation("r", result=result))
    return response.status, response.headers, response.body


def test_proxy_response_with_headers_and_cookies() -> None:
    status, headers, body = respond(
        {
            "statusCode": 202,
            "headers": {"content-type": "application/json", "x-n": 1},
            "cookies": ["a=1; Path=/", "b=2"],
            "body": '{"ok": true}',
            "isBase64Encoded": False,
        }
    )

    assert status == 202
    assert headers == [
        ("content-type", "application/json"),
        ("x-n", "1"),
        ("set-cookie", "a=1; Path=/"),
        ("set-cookie", "b=2"),
    ]
    assert body == b'{"ok": true}'


def test_base64_bodies_are_decoded() -> None:
    _, _, body = respond(
        {"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True}
    )

    assert body == b"\x00\x01"


def test_any_other_json_is_a_200_with_that_json() -> None:
    assert respond({"hello": "world"}) == (
        200,
        [("content-type", "application/json")],
        b'{"hello": "world"}',
    )
    assert respond("text")[2] == b'"text"'


def test_errors_and_malformed_responses_are_500() -> None:
    error = Invocation("r", error=FunctionError("ValueError", "boom"))

    assert http_response(error).status == 500
    assert http_response(error).body == b'{"message": "Internal Server Error"}'
    assert respond({"statusCode": "not a number"})[0] == 500
