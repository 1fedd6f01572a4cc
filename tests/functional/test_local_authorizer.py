"""The API handler under `sam local`, which runs no JWT authorizer: it asks the service named by
SAM_LOCAL_AUTHORIZER_URL and applies its decision as API Gateway would; anywhere else it never
asks, so a request without an authorizer's claims has no caller.

The service here answers as the local cloud's does (offload_local/sam/authorizer.py, tested with
real tokens in tests/functional/offload_local/test_sam_authorizer.py): claims for `Bearer good`, API
Gateway's 401 for anything else.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.functional.conftest import ALICE, Cloud, reset_caches

REFUSAL = {
    "statusCode": 401,
    "headers": {"content-type": "application/json", "www-authenticate": 'Bearer error="x"'},
    "body": '{"message":"Unauthorized"}',
}


@dataclass
class Authorizer:
    url: str
    asked: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def authorizer() -> Iterator[Authorizer]:
    service = Authorizer("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            request = json.loads(self.rfile.read(int(self.headers["content-length"])))
            service.asked.append(request)
            token = request["event"]["headers"].get("authorization")
            if token == "Bearer good":
                answer: dict[str, Any] = {"authorizer": {"jwt": {"claims": ALICE.claims()}}}
            else:
                answer = {"response": REFUSAL}
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}/"
    yield service
    server.shutdown()
    server.server_close()


@pytest.fixture
def sam_local(monkeypatch: pytest.MonkeyPatch, authorizer: Authorizer, cloud: Cloud) -> None:
    monkeypatch.setenv("AWS_SAM_LOCAL", "true")
    monkeypatch.setenv("SAM_LOCAL_AUTHORIZER_URL", authorizer.url)
    reset_caches()


def test_on_aws_the_service_is_never_asked(
    cloud: Cloud, authorizer: Authorizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function that somehow has the variable, but not the SAM CLI's AWS_SAM_LOCAL
    monkeypatch.setenv("SAM_LOCAL_AUTHORIZER_URL", authorizer.url)
    reset_caches()

    # When a request reaches it without an authorizer's claims
    status, _ = cloud.call_api(
        "POST", "/send-notification/you@example.com", as_user=None, authorization="Bearer good"
    )

    # Then it has no caller, and nobody was asked about its token
    assert status == 401
    assert authorizer.asked == []


@pytest.mark.usefixtures("sam_local")
def test_under_sam_local_the_authorizers_claims_make_the_caller(
    cloud: Cloud, authorizer: Authorizer
) -> None:
    status, body = cloud.call_api(
        "POST", "/send-notification/you@example.com", as_user=None, authorization="Bearer good"
    )

    assert status == 202, body
    [asked] = authorizer.asked
    assert asked["function"] == "test-function"
    assert asked["event"]["rawPath"] == "/send-notification/you@example.com"
    assert "body" not in asked["event"]


@pytest.mark.usefixtures("sam_local")
def test_under_sam_local_the_authorizers_refusal_is_the_answer(cloud: Cloud) -> None:
    response = cloud.api_response(
        "POST", "/send-notification/you@example.com", as_user=None, authorization="Bearer bad"
    )

    assert response == REFUSAL
    assert cloud.receive(cloud.task_queue_url) == []


@pytest.mark.usefixtures("sam_local")
def test_under_sam_local_an_event_an_authorizer_has_seen_is_left_as_it_is(
    cloud: Cloud, authorizer: Authorizer
) -> None:
    # `sam local invoke -e events/send_notification.json`: the event carries the claims.
    status, _ = cloud.call_api("POST", "/send-notification/you@example.com", as_user=ALICE)

    assert status == 202
    assert authorizer.asked == []


@pytest.mark.settings(AWS_SAM_LOCAL="true", SAM_LOCAL_AUTHORIZER_URL="http://127.0.0.1:9/")
def test_under_sam_local_an_authorizer_out_of_reach_refuses(cloud: Cloud) -> None:
    response = cloud.api_response(
        "POST", "/send-notification/you@example.com", as_user=None, authorization="Bearer good"
    )

    assert response["statusCode"] == 401
    assert "could not be reached" in response["headers"]["www-authenticate"]


# `sam local start-api` without `offload-local sam`: no service to ask.
@pytest.mark.settings(AWS_SAM_LOCAL="true")
def test_under_plain_sam_local_no_token_is_taken_unchecked(cloud: Cloud) -> None:
    status, _ = cloud.call_api(
        "POST", "/send-notification/you@example.com", as_user=None, authorization="Bearer good"
    )

    assert status == 401
