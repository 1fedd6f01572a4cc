"""moto-backed AWS for handler tests: template.yaml's stack, provisioned in-process by the
local cloud's own provisioners (tests/moto_aws.py), and the functions' environment from it.

The handlers under test are the very functions Lambda calls (api.handler.handler and
worker.handler.handler); only AWS is replaced.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ParamSpec

import pytest

from app import wiring
from app.settings import Settings, get_settings
from app.wiring import Wiring
from offload_local.aws.server import MotoServer
from offload_local.event_sources.records import sqs_event
from offload_local.identity.users import UserPool
from tests.background import offload_clients
from tests.conftest import load_event, make_context
from tests.moto_aws import (
    IN_PROCESS,
    REGION,
    bucket_name,
    function_environment,
    table_name,
    use_fake_credentials,
)
from tests.moto_aws import sent_emails as moto_sent_emails
from tests.refusals import sqs_refusing

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sqs.client import SQSClient

    from offload_local.provision.deployment import Deployment


@dataclass(frozen=True)
class User:
    """A caller, as API Gateway's JWT authorizer describes them to the function."""

    sub: str
    email: str
    verified: bool = True
    #: The token names the admin group (whether the user pool agrees is another matter).
    admin: bool = False

    def claims(self) -> dict[str, str]:
        # As the authorizer passes a Cognito ID token's claims on: every value a string. In
        # the stack's pool (email as username) the username is the sub.
        claims = {
            "sub": self.sub,
            "cognito:username": self.sub,
            "email": self.email,
            "email_verified": "true" if self.verified else "false",
            "token_use": "id",
        }
        if self.admin:
            claims["cognito:groups"] = "[admin]"
        return claims


#: The sample event's caller (events/send_notification.json).
ALICE = User(sub="6f0c2a4e-91b7-4d2c-a3f5-0e8d7c6b5a49", email="you@example.com")
BOB = User(sub="9d1e3f5a-2b4c-4d6e-8f0a-1c3e5a7b9d2f", email="bob@example.com")


P = ParamSpec("P")


def decoded(respond: Callable[P, dict[str, Any]]) -> Callable[P, tuple[int, Any]]:
    """The same call, answering a response's status and its body as JSON (or as text)."""

    def call(*args: P.args, **kwargs: P.kwargs) -> tuple[int, Any]:
        response = respond(*args, **kwargs)
        text = response.get("body") or ""
        try:
            return response["statusCode"], json.loads(text) if text else None
        except ValueError:
            return response["statusCode"], text

    return call


@dataclass
class Cloud:
    sqs: SQSClient
    task_queue_url: str
    task_queue_arn: str
    dead_letter_queue_url: str
    table_name: str
    s3: S3Client
    upload_bucket: str
    #: The stack as provisioned from template.yaml: every resource's name and attributes.
    deployment: Deployment
    #: The queue of heavy work (uploads): the bucket's notifications go there.
    heavy_queue_url: str = ""
    heavy_queue_arn: str = ""
    heavy_dead_letter_queue_url: str = ""

    def user_pool(self) -> UserPool:
        """The stack's Cognito user pool, as the local cloud manages its users."""
        pool = UserPool.of(self.deployment)
        assert pool is not None, "template.yaml's stack has a user pool"
        return pool

    def pool_user(self, email: str, *, admin: bool = False) -> User:
        """A user of the stack's pool (created if need be), as their ID token describes them;
        an admin is in the admin group with TOTP MFA on, enrolled as a person would."""
        pool = self.user_pool()
        username = pool.ensure_user(email, admin=admin)
        user = self.deployment.aws.client("cognito-idp").admin_get_user(
            UserPoolId=pool.pool_id, Username=username
        )
        sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
        assert user["Username"] == sub
        return User(sub=sub, email=username, admin=admin)

    def settings(self) -> Settings:
        """The settings this cloud's functions run with (for a second worker, say)."""
        return get_settings()

    def receive(self, queue_url: str, max_messages: int = 10) -> list[dict[str, Any]]:
        """Everything visible on a queue now (several receives: SQS returns at most 10)."""
        messages: list[dict[str, Any]] = []
        while True:
            batch = self.sqs.receive_message(
                QueueUrl=queue_url,
                MaxNumberOfMessages=max_messages,
                AttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            if not batch:
                return messages
            messages += [dict(m) for m in batch]

    def rows(self, prefix: str = "") -> list[dict[str, Any]]:
        """The data table's items whose partition key starts with `prefix`, as stored."""
        dynamodb = self.deployment.aws.client("dynamodb")
        return [
            dict(item)
            for page in dynamodb.get_paginator("scan").paginate(TableName=self.table_name)
            for item in page["Items"]
            if item["pk"]["S"].startswith(prefix)
        ]

    def sqs_event(self, messages: list[dict[str, Any]], queue_arn: str = "") -> dict[str, Any]:
        """The event Lambda's SQS poller would build from received messages (the local
        cloud's own records, offload_local/event_sources/records.py)."""
        return sqs_event(messages, queue_arn or self.task_queue_arn, REGION)

    def sqs_refusing(self, entries: Collection[str] | None = None) -> AbstractContextManager[None]:
        """SQS refusing the app's SendMessageBatch while inside: every call, or only the entries
        with those ids (tests/refusals.py)."""
        return sqs_refusing(offload_clients().sqs, entries)

    def run_worker(self, only: str | None = None) -> list[dict[str, Any]]:
        """Hand everything on the task queues (or on the `only` one) to the worker handler, in
        batches of 10 as the template's event source mapping does; delete what succeeded, as
        Lambda would. Returns the bodies of the messages that were handled."""
        from worker.handler import handler

        handled: list[dict[str, Any]] = []
        queues = [(self.task_queue_url, self.task_queue_arn)]
        if self.heavy_queue_url:
            queues.append((self.heavy_queue_url, self.heavy_queue_arn))
        for url, arn in queues:
            if only is not None and url != only:
                continue
            while messages := self.receive(url):
                for start in range(0, len(messages), 10):
                    batch = messages[start : start + 10]
                    response = handler(self.sqs_event(batch, arn), make_context())
                    failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
                    for message in batch:
                        if message["MessageId"] not in failed:
                            self.sqs.delete_message(
                                QueueUrl=url, ReceiptHandle=message["ReceiptHandle"]
                            )
                    handled += [json.loads(m["Body"]) for m in batch]
        return handled

    def api_response(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: str = "",
        as_user: User | None = ALICE,
        **headers: str,
    ) -> dict[str, Any]:
        """The API handler's whole response (status, headers, body) for one request."""
        from api.handler import handler

        if isinstance(body, bytes):
            # A binary body arrives as API Gateway sends it: base64, flagged as such.
            event = http_event(method, path, base64.b64encode(body).decode(), query)
            event["isBase64Encoded"] = True
            event["headers"]["content-length"] = str(len(body))
        else:
            raw = body if isinstance(body, str) else json.dumps(body) if body is not None else ""
            event = http_event(method, path, raw, query)
        if as_user is None:
            del event["requestContext"]["authorizer"]
        else:
            event["requestContext"]["authorizer"]["jwt"]["claims"] = as_user.claims()
        event["headers"].update({k.replace("_", "-"): v for k, v in headers.items()})
        response: dict[str, Any] = handler(event, make_context())
        return response

    # Call the API handler with an HTTP API v2 event, as `as_user` (None: as a request that
    # reached the function without the authorizer's claims); status and decoded JSON.
    call_api = decoded(api_response)


def sent_emails() -> list[Any]:
    """What moto's SES accepted (SES v2 SendEmail lands in the same backend)."""
    return list(moto_sent_emails())


def captured(client: Any, operation: str) -> list[dict[str, Any]]:
    """The parameters of every `operation` call made through `client` from now on (the app's
    own cached clients: `aws.sesv2()`, `aws.sqs()` ...)."""
    calls: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        calls.append(params)

    service = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"provide-client-params.{service}.{operation}", record)
    return calls


#: When the app's quotas think each test begins.
MIDDAY = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


class Midday:
    """A clock at MIDDAY when made, moving on as time does."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def now(self) -> datetime:
        return MIDDAY + timedelta(seconds=time.monotonic() - self._started)


@pytest.fixture
def cloud(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cloud]:
    """The stack in moto, the functions' environment set as the template resolves it, and over
    it a test's own `@pytest.mark.settings(NAME="value", ...)`."""
    use_fake_credentials(monkeypatch)
    # The quotas count by a clock that starts the test at noon UTC: a daily quota starts again
    # at midnight, and a test that fills one would otherwise fail if it ran across midnight.
    # Every wiring the test builds (after reset_caches too) counts by it.
    midday = Midday()
    monkeypatch.setattr(Wiring, "now", lambda self: midday.now())
    marker = request.node.get_closest_marker("settings")
    settings = marker.kwargs if marker is not None else {}
    with IN_PROCESS.running() as deployment:
        for name, value in {**function_environment(deployment), **settings}.items():
            monkeypatch.setenv(name, value)
        reset_caches()
        aws = deployment.aws
        queues = deployment.queues()
        yield Cloud(
            sqs=aws.client("sqs"),
            task_queue_url=queues["TaskQueue"],
            task_queue_arn=str(deployment.registry.get_att("TaskQueue", "Arn")),
            dead_letter_queue_url=queues["DeadLetterQueue"],
            table_name=table_name(deployment),
            s3=aws.client("s3"),
            upload_bucket=bucket_name(deployment),
            deployment=deployment,
            heavy_queue_url=queues["HeavyTaskQueue"],
            heavy_queue_arn=str(deployment.registry.get_att("HeavyTaskQueue", "Arn")),
            heavy_dead_letter_queue_url=queues["HeavyDeadLetterQueue"],
        )
    reset_caches()


@pytest.fixture
def admin(cloud: Cloud) -> User:
    """An administrator: in the stack's pool, in its admin group, with TOTP MFA on."""
    return cloud.pool_user("admin@example.com", admin=True)


@pytest.fixture(scope="module")
def moto_server() -> Iterator[MotoServer]:
    """moto's real server, in a process of its own on a free 127.0.0.1 port, for tests that need
    HTTP (the local cloud's pieces, real pollers); it stops with the module, whatever happens."""
    server = MotoServer(port=0)
    with pytest.MonkeyPatch.context() as patch:
        # SQS allows one purge a minute per queue (so does moto); tests clear the stack's
        # queues between them faster than that.
        patch.setenv("MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR", "false")
        server.start()
    try:
        yield server
    finally:
        server.stop()


def reset_caches() -> None:
    """Clients, settings and every part built from them are cached per execution environment,
    as on Lambda; each test is a new environment."""
    wiring.reset()


def http_event(method: str, path: str, body: str = "", query: str = "") -> dict[str, Any]:
    """events/send_notification.json (sam local generate-event apigateway http-api-proxy) with
    another method, path and body."""
    event = load_event("send_notification")
    event["rawPath"] = path
    event["rawQueryString"] = query
    event["queryStringParameters"] = (
        dict(p.split("=", 1) for p in query.split("&")) if query else None
    )
    event["requestContext"]["http"]["method"] = method
    event["requestContext"]["http"]["path"] = path
    event["routeKey"] = event["requestContext"]["routeKey"] = "ANY /{proxy+}"
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    event["body"] = body
    event["headers"]["content-length"] = str(len(body))
    if body:
        event["headers"]["content-type"] = "application/json"
    return event
