"""The console's server: only its own page may act, only under its own name, on loopback."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from offload_local.webconsole.server import TOKEN_HEADER, ConsoleServer
from offload_local.webconsole.stack import StackView, Target
from tests.raw_http import exchange

VIEW = StackView(name="app", region="us-east-1", kind="deployed", outputs={}, resources={})


class NoAws:
    def client(self, service: str) -> Any:
        raise AssertionError(f"no AWS call expected ({service})")


@pytest.fixture
def console() -> Iterator[ConsoleServer]:
    server = ConsoleServer(Target(NoAws(), lambda: VIEW), port=0)
    server.start()
    yield server
    server.stop()


def call(
    console: ConsoleServer,
    method: str,
    path: str,
    body: Any = None,
    **headers: str,
) -> tuple[int, dict[str, str], bytes]:
    url = urlsplit(console.url)
    connection = http.client.HTTPConnection(str(url.hostname), url.port, timeout=10)
    try:
        data = None if body is None else json.dumps(body).encode()
        sent = {"Content-Type": "application/json"} if data is not None else {}
        sent.update({k.replace("_", "-"): v for k, v in headers.items()})
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read()
    finally:
        connection.close()


def test_it_listens_on_loopback_only(console: ConsoleServer) -> None:
    assert urlsplit(console.url).hostname == "127.0.0.1"


def test_the_page_carries_its_token_and_a_strict_policy(console: ConsoleServer) -> None:
    status, headers, body = call(console, "GET", "/")

    assert status == 200
    assert f'<meta name="console-token" content="{console.token}">' in body.decode()
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert headers["X-Frame-Options"] == "DENY"


def test_another_host_name_is_refused(console: ConsoleServer) -> None:
    # DNS rebinding: a site's name resolving to 127.0.0.1
    status, _, body = call(console, "GET", "/api/failures", Host="attacker.example:80")

    assert status == 421
    assert json.loads(body) == {"error": "unknown host"}


def test_a_change_without_the_pages_token_is_refused(console: ConsoleServer) -> None:
    redrive = {"queue": "dlq", "message_ids": None}

    assert call(console, "POST", "/api/dead-letters/redrive", redrive)[0] == 403
    assert (
        call(console, "POST", "/api/dead-letters/redrive", redrive, **{TOKEN_HEADER: "guess"})[0]
        == 403
    )
    cross_site = {TOKEN_HEADER: console.token, "Origin": "https://attacker.example"}
    assert call(console, "POST", "/api/dead-letters/delete", redrive, **cross_site)[0] == 403


def test_with_the_token_a_bad_request_is_explained(console: ConsoleServer) -> None:
    token = {TOKEN_HEADER: console.token}

    status, _, body = call(console, "POST", "/api/dead-letters/delete", {"queue": "dlq"}, **token)
    assert (status, json.loads(body)) == (400, {"error": "message_ids is a list of message ids"})
    status, _, body = call(console, "POST", "/api/dead-letters/redrive", {}, **token)
    assert (status, json.loads(body)) == (400, {"error": "queue is required"})


def test_a_task_id_is_checked_before_any_aws_call(console: ConsoleServer) -> None:
    status, _, body = call(console, "GET", "/api/tasks/not%20an%20id")

    assert status == 400
    assert "is not a task id" in json.loads(body)["error"]


@pytest.mark.parametrize(
    "lengths",
    [["ten"], ["-1"], ["2", "3"]],
    ids=["not a number", "negative", "two lengths"],
)
def test_a_malformed_content_length_is_400(console: ConsoleServer, lengths: list[str]) -> None:
    # Before: a word ended the handler with no answer; -1 read until the client gave up.
    url = urlsplit(console.url)
    head = [
        "POST /api/dead-letters/redrive HTTP/1.1",
        f"Host: {url.netloc}",
        f"{TOKEN_HEADER}: {console.token}",
        "Content-Type: application/json",
        *(f"Content-Length: {length}" for length in lengths),
    ]
    request = ("\r\n".join(head) + "\r\n\r\n{}").encode()

    status, _, body = exchange(console.url, request)

    assert status == 400
    assert json.loads(body)["error"].startswith("Content-Length ")


def test_a_request_another_site_sent_is_refused(console: ConsoleServer) -> None:
    # An <img> on another site: a GET with no Origin, which the browser marks cross-site.
    status, _, body = call(console, "GET", "/api/failures", Sec_Fetch_Site="cross-site")

    assert (status, json.loads(body)) == (403, {"error": "request sent by another site refused"})
