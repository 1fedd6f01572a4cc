"""A small HTTP client for the end-to-end tests: JSON in, status and JSON out, no exceptions for
error statuses (they are what several tests assert). Calls to the API carry a bearer token."""

from __future__ import annotations

import email
import email.policy
import json
import urllib.error
import urllib.request
from email.message import EmailMessage
from typing import Any, TypeVar

import pytest

from offload_local.email.outbox import list_outbox
from tests.e2e.conftest import Target
from tests.polling import wait_for

T = TypeVar("T")
DEADLINE_SECONDS = 60


def request(
    url: str,
    method: str = "GET",
    data: bytes | None = None,
    content_type: str | None = None,
    token: str | None = None,
) -> tuple[int, bytes]:
    """Any HTTP request (the API, or S3 through a presigned URL): status and raw body."""
    headers = {"content-type": content_type} if content_type else {}
    if token:  # "" sends none: a public route
        headers["authorization"] = f"Bearer {token}"
    prepared = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(prepared, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


def api_request(
    target: Target,
    path: str,
    method: str = "GET",
    data: bytes | None = None,
    content_type: str | None = None,
    token: str | None = None,
) -> tuple[int, bytes]:
    """A request to the API as the target's default caller (or with the token given)."""
    bearer = token if token is not None else target.token()
    return request(f"{target.api_url}{path}", method, data, content_type, bearer)


def call(
    target: Target, method: str, path: str, body: Any = None, token: str | None = None
) -> tuple[int, Any]:
    """The API with a JSON body (if any); status and decoded JSON."""
    data = None if body is None else json.dumps(body).encode()
    status, raw = api_request(
        target, path, method, data, None if body is None else "application/json", token
    )
    return status, json.loads(raw or b"null")


def wait_for_tasks(
    target: Target, task_ids: list[str], token: str | None = None
) -> list[dict[str, Any]]:
    """Every task's final status, once all of them have one (read as their owner)."""

    def finished() -> list[dict[str, Any]] | None:
        statuses = [call(target, "GET", f"/tasks/{i}", token=token)[1] for i in task_ids]
        final = {"succeeded", "failed", "dead_lettered"}
        return statuses if all(s and s.get("status") in final for s in statuses) else None

    return wait_for(f"tasks {task_ids} to finish", finished)


def emails_to(target: Target, address: str, count: int = 1) -> list[EmailMessage]:
    """The emails SES took for `address`, once there are `count` (the local cloud's outbox;
    a deployed stack's inbox is not ours to read, so such a check is skipped there)."""
    outbox = target.outbox
    if outbox is None:
        pytest.skip("only the local cloud shows what SES sent")

    def arrived() -> list[EmailMessage] | None:
        found = [entry for entry in list_outbox(outbox) if entry.to == address]
        if len(found) < count:
            return None
        return [
            email.message_from_bytes(entry.path.read_bytes(), policy=email.policy.default)
            for entry in found
        ]

    return wait_for(f"{count} email(s) to {address}", arrived)


def text_of(message: EmailMessage) -> str:
    """The plain-text part of an email (or its only part)."""
    part = message.get_body(preferencelist=("plain", "html"))
    return str(part.get_content()) if part is not None else ""
