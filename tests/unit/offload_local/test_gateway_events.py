"""HTTP requests as API Gateway HTTP API payload 2.0 events, and route selection."""

from __future__ import annotations

import base64

import pytest

from offload_local.gateway.events import HttpRequest, http_api_event
from offload_local.gateway.routes import Match, select_route
from offload_local.provision.deployment import Route

ARN = "arn:aws:lambda:us-east-1:123456789012:function:local-Api"
ROOT = Route("ANY", "/", ARN)
PROXY = Route("ANY", "/{proxy+}", ARN)


def event_for(request: HttpRequest, match: Match | None = None) -> dict[str, object]:
    return http_api_event(
        request,
        match or Match(PROXY, {"proxy": "send-notification/you@example.com"}),
        api_id="abcdef1234",
        region="us-east-1",
        account_id="123456789012",
        request_id="req-1",
    )


def test_event_shape_of_a_post_without_body() -> None:
    request = HttpRequest(
        method="POST",
        target="/send-notification/you@example.com",
        headers=[("Host", "127.0.0.1:3000"), ("User-Agent", "curl/8")],
        received_at=1700000000.123,
    )

    event = event_for(request)

    assert event == {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": "/send-notification/you@example.com",
        "rawQueryString": "",
        "headers": {"host": "127.0.0.1:3000", "user-agent": "curl/8"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abcdef1234",
            "domainName": "127.0.0.1",
            "domainPrefix": "127",
            "http": {
                "method": "POST",
                "path": "/send-notification/you@example.com",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "curl/8",
            },
            "requestId": "req-1",
            "routeKey": "ANY /{proxy+}",
            "stage": "$default",
            "time": "14/Nov/2023:22:13:20 +0000",
            "timeEpoch": 1700000000123,
        },
        "pathParameters": {"proxy": "send-notification/you@example.com"},
        "isBase64Encoded": False,
    }


def test_headers_cookies_and_query_follow_payload_2_rules() -> None:
    request = HttpRequest(
        method="GET",
        target="/logs?limit=10&tag=a&tag=b&empty=",
        headers=[
            ("X-Thing", "1"),
            ("x-thing", "2"),
            ("Cookie", "a=1; b=2"),
            ("Content-Type", "application/json"),
        ],
        body=b'{"k": "v"}',
    )

    event = event_for(request)

    assert event["headers"] == {"x-thing": "1,2", "content-type": "application/json"}
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["rawQueryString"] == "limit=10&tag=a&tag=b&empty="
    assert event["queryStringParameters"] == {"limit": "10", "tag": "a,b", "empty": ""}
    assert event["body"] == '{"k": "v"}'
    assert event["isBase64Encoded"] is False


@pytest.mark.parametrize("content_type", ["image/png", "multipart/form-data; boundary=x"])
def test_binary_bodies_are_base64(content_type: str) -> None:
    body = b"\x89PNG\x00\xff"
    request = HttpRequest("POST", "/upload", [("Content-Type", content_type)], body)

    event = event_for(request)

    assert event["isBase64Encoded"] is True
    assert base64.b64decode(str(event["body"])) == body


def test_paths_arrive_decoded() -> None:
    request = HttpRequest("GET", "/files/a%20b", [])

    event = event_for(request, select_route([PROXY], "GET", "/files/a%20b"))

    assert event["rawPath"] == "/files/a b"
    assert event["pathParameters"] == {"proxy": "files/a b"}


@pytest.mark.parametrize(
    ("method", "path", "chosen", "parameters"),
    [
        ("GET", "/", "ANY /", {}),
        ("GET", "/logs", "GET /logs", {}),
        ("POST", "/logs", "ANY /logs", {}),
        ("GET", "/items/42", "GET /items/{id}", {"id": "42"}),
        ("GET", "/items/42/x", "ANY /{proxy+}", {"proxy": "items/42/x"}),
        ("DELETE", "/other", "ANY /{proxy+}", {"proxy": "other"}),
    ],
)
def test_most_specific_route_wins(
    method: str, path: str, chosen: str, parameters: dict[str, str]
) -> None:
    routes = [
        PROXY,
        Route("ANY", "/logs", ARN),
        Route("GET", "/logs", ARN),
        Route("GET", "/items/{id}", ARN),
        ROOT,
    ]

    match = select_route(routes, method, path)

    assert match is not None
    assert match.route.key == chosen
    assert match.path_parameters == parameters


def test_no_route_and_the_default_route() -> None:
    assert select_route([ROOT], "GET", "/nothing") is None
    match = select_route([ROOT, Route("ANY", "$default", ARN)], "GET", "/nothing")
    assert match is not None
    assert match.route.key == "$default"
