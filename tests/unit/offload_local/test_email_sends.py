"""What moto's SESv2 drops: a send's configuration set, kept by the middleware in front of it,
and a set that does not exist refused as SES refuses it."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest

from offload_local.email import sends as ses_sends

AUTHORIZATION = (
    "AWS4-HMAC-SHA256 Credential=testing/20261201/us-east-1/ses/aws4_request, "
    "SignedHeaders=host, Signature=x"
)


class Moto:
    """A stand-in for moto's application: answers SendEmail with a MessageId."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        self.bodies.append(environ["wsgi.input"].read())
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps({"MessageId": f"m{len(self.bodies)}"}).encode()]


@pytest.fixture(autouse=True)
def _forget() -> Iterator[None]:
    ses_sends.reset()
    yield
    ses_sends.reset()


def send(
    app: Any, body: dict[str, Any], path: str = "/v2/email/outbound-emails"
) -> tuple[str, bytes]:
    raw = json.dumps(body).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(raw)),
        "HTTP_AUTHORIZATION": AUTHORIZATION,
        "wsgi.input": io.BytesIO(raw),
    }
    status: list[str] = []
    chunks = app(environ, lambda code, headers, *args: status.append(code))
    return status[0], b"".join(chunks)


def test_a_send_through_a_set_is_recorded_by_its_message_id() -> None:
    moto = Moto()
    checked: list[tuple[str, str]] = []

    def exists(name: str, authorization: str) -> bool:
        checked.append((name, authorization))
        return True

    app = ses_sends.SendRecorder(moto, exists)
    request = {"FromEmailAddress": "a@example.com", "ConfigurationSetName": "local-Set"}

    status, answer = send(app, request)
    plain = send(app, {"FromEmailAddress": "a@example.com"})

    assert status.startswith("200")
    assert json.loads(answer) == {"MessageId": "m1"}
    # moto still reads the whole request.
    assert json.loads(moto.bodies[0]) == request
    assert ses_sends.configuration_set_of("m1") == "local-Set"
    assert ses_sends.configuration_set_of("m2") is None
    assert plain[0].startswith("200")
    assert checked == [("local-Set", AUTHORIZATION)]


def test_a_set_that_does_not_exist_is_refused_before_moto_sees_the_send() -> None:
    moto = Moto()
    app = ses_sends.SendRecorder(moto, lambda name, authorization: False)

    status, answer = send(app, {"ConfigurationSetName": "typo"})

    assert status == "404 Not Found"
    assert json.loads(answer) == {"message": "Configuration set <typo> does not exist."}
    assert moto.bodies == []


def test_other_requests_pass_untouched() -> None:
    moto = Moto()
    app = ses_sends.SendRecorder(moto, lambda name, authorization: False)

    status, _ = send(app, {"ConfigurationSetName": "x"}, path="/v2/email/configuration-sets")

    assert status.startswith("200")
    assert len(moto.bodies) == 1
