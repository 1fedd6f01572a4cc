"""SES sends as the local cloud keeps them, in moto's server process: what moto's SES accepted,
listed over HTTP, each with the configuration set it was sent through (which moto drops).

moto's SESv2 SendEmail keeps the message but not its ConfigurationSetName, and accepts a set
that does not exist. This WSGI middleware, in front of moto's server application, reads the
name from the request before moto does: a set that does not exist is refused as SES refuses it
(404 NotFoundException), and otherwise the name is remembered under the MessageId moto answers
with. Nothing else of an AWS request or response changes. The record is process-wide, like
moto's own state, and cleared with it (moto's reset).

`GET /_local/ses/emails?account=...&region=...&since=N` lists the emails SES accepted from the
N-th on, as JSON (`{"total": ..., "emails": [...]}`): how the outbox and the tests, in other
processes, see them. No AWS API has that path.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import parse_qs

from offload_local.email.outbox import EMAILS_PATH, Email

_SEND_EMAIL = ("POST", "/v2/email/outbound-emails")
_RESET = ("POST", "/moto-api/reset")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")

_lock = threading.Lock()
_sent_with: dict[str, str] = {}

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def configuration_set_of(message_id: str) -> str | None:
    """The configuration set the message was sent with, if it named one."""
    with _lock:
        return _sent_with.get(message_id)


def reset() -> None:
    with _lock:
        _sent_with.clear()


class SendRecorder:
    """Wraps moto's server application; only SESv2 SendEmail requests are looked at.

    `exists(name, authorization)` says whether the configuration set exists for the account and
    region the request is signed for (moto's SES backend by default).
    """

    def __init__(self, app: WsgiApp, exists: Callable[[str, str], bool] | None = None) -> None:
        self._app = app
        self._exists = exists or configuration_set_exists

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = (environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
        if request == ("GET", EMAILS_PATH):
            return _listing(environ, start_response)
        if request == _RESET:
            reset()
        if request != _SEND_EMAIL:
            return self._app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        name = _configuration_set(body)
        if name is None:
            return self._app(environ, start_response)
        if not self._exists(name, str(environ.get("HTTP_AUTHORIZATION", ""))):
            return _not_found(name, start_response)
        status: list[str] = []

        def capture(code: str, headers: Any, *args: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *args)

        chunks = list(self._app(environ, capture))
        if status and status[0].startswith("200"):
            message_id = json.loads(b"".join(chunks)).get("MessageId")
            if message_id:
                with _lock:
                    _sent_with[str(message_id)] = name
        return chunks


def _configuration_set(body: bytes) -> str | None:
    try:
        request = json.loads(body or b"{}")
    except ValueError:
        return None  # moto answers a malformed request itself
    name = request.get("ConfigurationSetName") if isinstance(request, dict) else None
    return str(name) if name else None


def configuration_set_exists(name: str, authorization: str) -> bool:
    from moto.iam.models import get_account_id_from
    from moto.ses.models import ses_backends

    # The account and region moto itself would serve the request from (SESv2 keeps
    # configuration sets in SES's backend).
    match = _CREDENTIAL.search(authorization)
    access_key, region = match.groups() if match else ("", "us-east-1")
    return name in ses_backends[get_account_id_from(access_key)][region].config_sets


def sent_emails(account_id: str, region: str) -> list[Email]:
    """What moto's SES accepted (SESv2 sends land in SES's backend), oldest first."""
    from moto.ses.models import ses_backends

    return [from_moto(message) for message in list(ses_backends[account_id][region].sent_messages)]


def from_moto(message: Any) -> Email:
    """An email from moto's SES backend records (Message, RawMessage, TemplateMessage)."""
    destinations = getattr(message, "destinations", {})
    if isinstance(destinations, Mapping):
        to = tuple(destinations.get("ToAddresses", []))
        cc = tuple(destinations.get("CcAddresses", []))
        bcc = tuple(destinations.get("BccAddresses", []))
    else:
        to, cc, bcc = tuple(destinations or []), (), ()
    raw = getattr(message, "raw_data", None)
    subject = getattr(message, "subject", None)
    body = getattr(message, "body", None)
    if subject is None and hasattr(message, "template"):
        subject = f"(template {message.template})"
        body = str(getattr(message, "template_data", ""))
    return Email(
        message_id=str(message.id),
        source=str(message.source),
        to=to,
        cc=cc,
        bcc=bcc,
        subject=str(subject or ""),
        body=str(body or ""),
        raw=None if raw is None else str(raw),
        configuration_set=configuration_set_of(str(message.id)),
    )


def _listing(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    query = {k: v[-1] for k, v in parse_qs(str(environ.get("QUERY_STRING", ""))).items()}
    try:
        since = int(query.get("since", "0"))
        emails = sent_emails(query["account"], query["region"])
    except (KeyError, ValueError):
        return _answer(start_response, "400 Bad Request", {"message": "account, region, since"})
    listed = [dataclasses.asdict(email) for email in emails[since:]]
    return _answer(start_response, "200 OK", {"total": len(emails), "emails": listed})


def _answer(start_response: StartResponse, status: str, value: Any) -> list[bytes]:
    body = json.dumps(value).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def _not_found(name: str, start_response: StartResponse) -> list[bytes]:
    body = json.dumps({"message": f"Configuration set <{name}> does not exist."}).encode()
    start_response(
        "404 Not Found",
        [
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "NotFoundException"),
            ("Content-Length", str(len(body))),
        ],
    )
    return [body]
