"""Every call a function makes to the table is one its role allows.

The functions run as everywhere here (the handlers Lambda calls, moto for AWS), through every
route and task that touches the table, failure paths included. Each DynamoDB call the app's
client makes is judged against the grants of the function's role in the translated template
(tests/template/iam.py): its action, the table or index, and the partition key values it
names (`dynamodb:LeadingKeys`). A role narrower than its function's code fails here; one wider
than it fails tests/template/test_template_iam.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app import clients
from app.background import background
from app.uploads.files import UploadedFile
from app.wiring import wiring
from offload.periodic import periodic_body
from offload_local.template.translation import translate
from tests.background import offload_clients
from tests.conftest import make_context
from tests.functional.conftest import ALICE, Cloud
from tests.functional.uploads import authorize, png, put_as_client, upload
from tests.refusals import ses_refusing
from tests.template.iam import Grant, Request, allows, grants, role_of
from tests.template.values import default_parameters
from worker.handler import handler as worker_handler

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"
TABLE = "<DataTable.Arn>"
API, WORKER, HEAVY_WORKER = "ApiFunction", "WorkerFunction", "HeavyWorkerFunction"
#: Calls the test makes itself (setting a scene), judged against no role.
SCENE = "test"


def requests_of(operation: str, params: dict[str, Any]) -> list[Request]:
    """The call as IAM sees it: each partition key value it names is a leading key."""
    action = f"dynamodb:{operation.lower()}"
    if operation in ("GetItem", "UpdateItem", "DeleteItem"):
        return [Request(action, TABLE, (params["Key"]["pk"]["S"],))]
    if operation == "PutItem":
        return [Request(action, TABLE, (params["Item"]["pk"]["S"],))]
    if operation == "BatchWriteItem":
        [writes] = params["RequestItems"].values()
        items = [
            w["PutRequest"]["Item"] if "PutRequest" in w else w["DeleteRequest"]["Key"]
            for w in writes
        ]
        return [Request(action, TABLE, tuple(i["pk"]["S"] for i in items))]
    if operation == "BatchGetItem":
        [reads] = params["RequestItems"].values()
        return [Request(action, TABLE, tuple(k["pk"]["S"] for k in reads["Keys"]))]
    if operation == "Query":
        # The partition key's equality comes first in every key condition the code writes.
        match = re.match(r"\s*#?\w+\s*=\s*(:\w+)", params["KeyConditionExpression"])
        assert match, params["KeyConditionExpression"]
        [value] = params["ExpressionAttributeValues"][match[1]].values()
        index = f"/index/{params['IndexName']}" if "IndexName" in params else ""
        return [Request(action, TABLE + index, (str(value),))]
    # A Scan (or anything else) names no key.
    return [Request(action, TABLE)]


@dataclass
class TableCalls:
    """The app's DynamoDB calls, by the function that made them."""

    acting: str = SCENE
    made: dict[str, list[Request]] = field(default_factory=lambda: defaultdict(list))

    def record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.made[self.acting] += requests_of(model.name, params)

    @contextmanager
    def by(self, function: str) -> Iterator[None]:
        self.acting = function
        try:
            yield
        finally:
            self.acting = SCENE


@pytest.fixture(scope="module")
def role_grants() -> dict[str, list[Grant]]:
    translated = translate(TEMPLATE)
    defaults = default_parameters(translated)
    return {
        function: grants(role_of(translated, function)[1], defaults, translated)
        for function in (API, WORKER, HEAVY_WORKER)
    }


@pytest.fixture
def calls(cloud: Cloud) -> TableCalls:
    recorded = TableCalls()
    # The application's own calls and those of the tasks' rows (offload's clients).
    for client in (clients.dynamodb(), offload_clients().dynamodb):
        client.meta.events.register("provide-client-params.dynamodb", recorded.record)
    return recorded


def notification(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        _, accepted = cloud.call_api("POST", "/send-notification/you@example.com")
        cloud.call_api("GET", f"/tasks/{accepted['task_ids'][0]}")
    with calls.by(WORKER):
        cloud.run_worker(cloud.task_queue_url)
    with calls.by(API):
        cloud.call_api("GET", "/logs", as_user=cloud.pool_user("admin@example.com", admin=True))


def notification_later_cancelled(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        _, accepted = cloud.call_api(
            "POST", "/send-notification/you@example.com", query="delay_seconds=3600"
        )
        for task_id in accepted["task_ids"]:
            cloud.call_api("DELETE", f"/tasks/{task_id}")


def registration(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        cloud.call_api("POST", "/register", {"name": "Alice"})
        # Registered already: the quota charged is given back
        cloud.call_api("POST", "/register", {"name": "Alice"})
    with calls.by(WORKER):
        cloud.run_worker(cloud.task_queue_url)


def item(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        _, created = cloud.call_api("POST", "/items", {"name": "blue teapot"})
    with calls.by(WORKER):
        cloud.run_worker(cloud.task_queue_url)
    with calls.by(API):
        cloud.call_api("GET", f"/items/{created['item']['id']}")
        cloud.call_api("GET", "/search", query="q=teapot")
        cloud.call_api(
            "GET",
            "/search",
            query="q=teapot",
            as_user=cloud.pool_user("admin@example.com", admin=True),
        )


def refused_request(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API), cloud.sqs_refusing():
        # 503: the item, its task rows and the quota charged are taken back
        cloud.call_api("POST", "/items", {"name": "blue teapot"})


def dataset(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        _, good = cloud.call_api("POST", "/process", [{"a": 1}, {"a": 2}])
        # A number no float holds: the task is rejected, with the dataset's reason
        cloud.call_api("POST", "/process", b'[{"a": ' + b"9" * 400 + b"}]")
    with calls.by(WORKER):
        cloud.run_worker(cloud.task_queue_url)
    with calls.by(API):
        cloud.call_api("GET", f"/process/{good['id']}")


def failed_emails(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        cloud.call_api("POST", "/send-notification/you@example.com")
    messages = cloud.receive(cloud.task_queue_url)
    last = str(background.config.max_attempts)
    again = [
        m | {"Attributes": m["Attributes"] | {"ApproximateReceiveCount": last}} for m in messages
    ]
    # Retried, then, on the last delivery, dead-lettered: both recorded on the task's row
    with calls.by(WORKER), ses_refusing(clients.sesv2(), "Throttling", "slow down"):
        worker_handler(cloud.sqs_event(messages), make_context())
        worker_handler(cloud.sqs_event(again), make_context())


def uploads(cloud: Cloud, calls: TableCalls) -> None:
    with calls.by(API):
        _, stored = upload(cloud, "tiny.png", "image/png", png(8, 8))
        authorized = authorize(cloud, "data.csv", "text/csv", 100)
    put_as_client(cloud, authorized, b"a,b\n1,2\n")
    with calls.by(HEAVY_WORKER):
        cloud.run_worker(cloud.heavy_queue_url)
    with calls.by(API):
        cloud.call_api("GET", f"/files/{stored['id']}")


def daily_cleanup(cloud: Cloud, calls: TableCalls) -> None:
    # Given a presigned upload that never arrived, and one just handed out
    wiring().files.create(
        UploadedFile(
            id="never-arrived",
            owner=ALICE.sub,
            via="presigned",
            name="x.csv",
            created_at=datetime.now(UTC) - timedelta(days=2),
        )
    )
    with calls.by(API):
        authorize(cloud, "data.csv", "text/csv", 100)
    body = periodic_body("daily_cleanup").replace(
        "<aws.scheduler.scheduled-time>", "2026-12-02T03:00:00Z"
    )
    cloud.sqs.send_message(QueueUrl=cloud.task_queue_url, MessageBody=body)
    with calls.by(WORKER):
        cloud.run_worker(cloud.task_queue_url)
    assert wiring().files.get("never-arrived") is None


SCENARIOS: dict[str, tuple[Callable[[Cloud, TableCalls], None], set[str]]] = {
    "notification": (notification, {API, WORKER}),
    "notification_later_cancelled": (notification_later_cancelled, {API}),
    "registration": (registration, {API, WORKER}),
    "item": (item, {API, WORKER}),
    "refused_request": (refused_request, {API}),
    "dataset": (dataset, {API, WORKER}),
    "failed_emails": (failed_emails, {API, WORKER}),
    "uploads": (uploads, {API, HEAVY_WORKER}),
    "daily_cleanup": (daily_cleanup, {API, WORKER}),
}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_table_call_is_one_the_functions_role_allows(
    cloud: Cloud, calls: TableCalls, role_grants: dict[str, list[Grant]], scenario: str
) -> None:
    # Given a scenario's functions at work
    run, functions = SCENARIOS[scenario]
    run(cloud, calls)

    # Then each made table calls, and each call fits a grant of the function's role
    assert {f for f in calls.made if f != SCENE} == functions
    refused = [
        f"{function}: {request}"
        for function, requests in calls.made.items()
        if function != SCENE
        for request in requests
        if not any(allows(grant, request) for grant in role_grants[function])
    ]
    assert not refused, "calls no grant allows:\n  " + "\n  ".join(refused)
