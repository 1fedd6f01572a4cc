"""template.yaml's throttles in the local gateway, made small through parameter overrides: a
route's burst passes, the rest is 429 and never reaches the function; public routes are
throttled too, and each route has its own bucket."""

from __future__ import annotations

import http.client
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest

from offload_local.cloud import CloudOptions, LocalCloud
from offload_local.console import Console
from tests.repository import TEMPLATE

# A steady rate of one a second refills a negligible fraction of a token while a handful of
# simultaneous requests arrive: exactly the burst passes.
OVERRIDES = {
    "ApiRateLimit": "1",
    "ApiBurstLimit": "2",
    "SensitiveRouteRateLimit": "1",
    "SensitiveRouteBurstLimit": "1",
}


@pytest.fixture(scope="module")
def console() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory, console: io.StringIO) -> Iterator[LocalCloud]:
    options = CloudOptions(
        template=TEMPLATE,
        parameter_overrides=OVERRIDES,
        port=0,
        aws_port=0,
        outbox=tmp_path_factory.mktemp("outbox"),
        prewarm=False,
    )
    with LocalCloud(options, Console(console, colour=False)) as running:
        yield running


def request(cloud: LocalCloud, method: str, path: str, token: str | None = None) -> tuple[int, Any]:
    url = urlsplit(str(cloud.api_url))
    connection = http.client.HTTPConnection(str(url.hostname), url.port, timeout=60)
    headers = {"content-type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = json.dumps({"email": "you@example.com", "name": "You"}) if method == "POST" else None
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, json.loads(raw) if response.status == 429 else None
    finally:
        connection.close()


def at_once(
    cloud: LocalCloud, count: int, method: str, path: str, token: str | None = None
) -> list[int]:
    with ThreadPoolExecutor(max_workers=count) as clients:
        answers = list(clients.map(lambda _: request(cloud, method, path, token), range(count)))
    too_many = [body for status, body in answers if status == 429]
    assert all(body == {"message": "Too Many Requests"} for body in too_many)
    return sorted(status for status, _ in answers)


def invocations(console: io.StringIO) -> int:
    """ApiFunction's invocations so far (the worker has its own, from the bucket's test event)."""
    lines = console.getvalue().splitlines()
    return sum(1 for line in lines if line.startswith("ApiFunction") and "| REPORT " in line)


def test_a_public_route_passes_its_burst_and_refuses_the_rest(
    cloud: LocalCloud, console: io.StringIO
) -> None:
    before = invocations(console)

    statuses = at_once(cloud, 5, "GET", "/openapi.json")

    assert statuses.count(429) == 3
    assert statuses[:2] == [200, 200]
    # The refused requests never reached the function.
    assert invocations(console) - before == 2


def test_a_sensitive_route_has_its_own_smaller_bucket(
    cloud: LocalCloud, console: io.StringIO
) -> None:
    token = cloud.token("you@example.com")
    before = invocations(console)

    register = at_once(cloud, 3, "POST", "/register", token)
    # Another route's bucket is untouched by the ones spent above.
    docs = request(cloud, "GET", "/docs")[0]

    assert register.count(429) == 2
    assert register[0] != 429
    assert docs == 200
    assert invocations(console) - before == 2
