"""A burst of requests against the whole local cloud (template.yaml: HTTP API gateway with its
authorizer, function processes, event source mapping, moto's server), over real HTTP on
127.0.0.1: every 2xx has its task done, count for count, and every other answer is a 503 that
claimed nothing.

The endpoint is POST /register, by as many users as requests: one welcome email per account, so
"count for count" is one email per 201. (POST /send-notification queues two tasks per request;
1,000 of them took 160 s here, as moto's SQS slows down sharply once thousands of messages wait:
a receive and delete of ten took 42 ms with an empty backlog and 670 ms with 2,000 waiting.)"""

from __future__ import annotations

import io
import json
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from offload_local.cloud import LocalCloud
from offload_local.console import Console
from offload_local.email.outbox import sent_emails
from tests.moto_aws import queue_depth
from tests.polling import wait_for
from tests.repository import on_free_ports

REQUESTS = 1_000
CLIENTS = 6
# The burst is about SQS and the worker, not the stage's throttle of POST /register (5 a
# second, burst 10): raised above what the clients send.
UNTHROTTLED = {"SensitiveRouteRateLimit": "100000", "SensitiveRouteBurstLimit": "100000"}


@pytest.fixture
def local_cloud(tmp_path: Path) -> Iterator[LocalCloud]:
    # The console keeps every function's log lines; the figures are what -s should show.
    console = Console(io.StringIO(), colour=False)
    options = replace(on_free_ports(tmp_path / "outbox"), parameter_overrides=UNTHROTTLED)
    with LocalCloud(options, console) as cloud:
        yield cloud


def post(url: str, body: Any, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 - our own URL
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def get(url: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own URL
        return response.status, json.loads(response.read())


def task_statuses(cloud: LocalCloud) -> dict[str, str]:
    """Every status row in the data table, by task id (one paginated scan)."""
    table = str(cloud.deployment.outputs["DataTableName"])
    dynamodb = cloud.deployment.aws.client("dynamodb")
    found: dict[str, str] = {}
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        for item in page["Items"]:
            if item["pk"]["S"].startswith("TASK#"):
                found[item["pk"]["S"].removeprefix("TASK#")] = item["status"]["S"]
    return found


def task_queue_depth(cloud: LocalCloud) -> int:
    sqs = cloud.deployment.aws.client("sqs")
    return queue_depth(sqs, str(cloud.deployment.outputs["TaskQueueUrl"]))


def emails_to(cloud: LocalCloud) -> Counter[str]:
    stack = cloud.deployment.stack
    _, sent = sent_emails(cloud.aws_url, stack.account_id, stack.region)
    return Counter(m.to[0] for m in sent)


@pytest.mark.e2e
def test_a_burst_of_requests_gets_every_accepted_task_done(
    local_cloud: LocalCloud, figures: Callable[..., None]
) -> None:
    api = local_cloud.api_url
    assert api is not None
    recipients = [f"burst-{i}@example.com" for i in range(REQUESTS)]
    tokens = {r: local_cloud.token(r) for r in recipients}

    def register(email: str) -> tuple[int, Any]:
        return post(f"{api}/register", {"name": f"Burst {email[6:-12]}"}, tokens[email])

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
        answers = list(clients.map(register, recipients))
    answered = time.monotonic() - started

    accepted = {
        r: body for r, (status, body) in zip(recipients, answers, strict=True) if status == 201
    }
    others = [(status, body) for status, body in answers if status != 201]
    # Nearly every request is accepted (a burst is no reason to refuse: nothing here fails)...
    assert len(accepted) >= REQUESTS * 0.99, Counter(status for status, _ in others)
    # ...and every other answer is a 503 that names no task
    assert {status for status, _ in others} <= {503}
    assert all("task_ids" not in (body or {}) for _, body in others)
    task_ids = [i for body in accepted.values() for i in body["task_ids"]]
    assert len(task_ids) == len(set(task_ids)) == len(accepted)

    # Every accepted task reaches "succeeded", count for count. (moto's server shares this
    # process: the queue's depth is a cheap question, a scan of every status row is not.)
    # Five minutes: on a shared 2-core machine the drain has taken over 150 s; the wait ends as
    # soon as the queue is empty.
    wait_for("the task queue to drain", lambda: task_queue_depth(local_cloud) == 0, 300, 1)

    def all_succeeded() -> dict[str, str] | None:
        statuses = task_statuses(local_cloud)
        done = all(statuses.get(i) == "succeeded" for i in task_ids)
        return statuses if done else None

    statuses = wait_for("every accepted task to succeed", all_succeeded, 30, 2)
    finished = time.monotonic() - started
    assert sum(1 for i in task_ids if statuses[i] == "succeeded") == len(task_ids)
    # and each accepted request's email went out exactly once
    sent = emails_to(local_cloud)
    assert {r: sent[r] for r in accepted} == dict.fromkeys(accepted, 1)
    # A sample through the API itself, as a client would ask
    owners = {i: r for r, body in accepted.items() for i in body["task_ids"]}
    for task_id in task_ids[:: max(1, len(task_ids) // 20)]:
        status, body = get(f"{api}/tasks/{task_id}", tokens[owners[task_id]])
        assert (status, body["id"], body["status"]) == (200, task_id, "succeeded")
    figures(
        "burst",
        f"burst: {REQUESTS} POST /register from {CLIENTS} clients, {len(accepted)} 2xx, "
        f"{len(others)} 503, {len(task_ids)} tasks all succeeded, "
        f"{sum(sent[r] for r in accepted)} emails for {len(accepted)} accepted; "
        f"answered in {answered:.0f} s, done in {finished:.0f} s",
        requests=REQUESTS,
        clients=CLIENTS,
        accepted=len(accepted),
        refused_503=len(others),
        tasks=len(task_ids),
        emails=sum(sent[r] for r in accepted),
        answered_seconds=round(answered, 1),
        done_seconds=round(finished, 1),
    )
