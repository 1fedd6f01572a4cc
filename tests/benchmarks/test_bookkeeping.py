"""What a task costs in DynamoDB calls, end to end: every call the API and the worker make, counted
by botocore on the app's own client, split into the task's bookkeeping (its row: status and
idempotency) and the feature's own work. Counts are exact, not timings: the machine's noise does
not touch them.

Before one row served as status and idempotency record, the same request took five bookkeeping
writes (the API's queued PutItem; the worker's running and succeeded UpdateItems, and the
idempotency table's in-progress PutItem and completed UpdateItem), counted by this benchmark's
first version on the commit before (469437f).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from app import clients
from app.background import background
from tests.background import offload_clients
from tests.benchmarks.measure import table
from tests.functional.conftest import Cloud

#: List prices, us-east-1, on demand (DESIGN.md): per million.
WRITE_PRICE = 0.625
READ_PRICE = 0.125
#: Bookkeeping writes per task before (see the module's docstring).
BEFORE_WRITES = 5
WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"}


class DynamoCalls:
    """DynamoDB calls through the app's client, by operation and by whose key they touch."""

    def __init__(self) -> None:
        self.calls: Counter[tuple[str, str]] = Counter()

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        for key in _keys(operation, params):
            kind = "bookkeeping" if key.startswith("TASK#") else "feature"
            self.calls[(kind, operation)] += 1

    def count(self, kind: str, operations: set[str]) -> int:
        return sum(n for (k, op), n in self.calls.items() if k == kind and op in operations)


def _keys(operation: str, params: dict[str, Any]) -> list[str]:
    """The partition key of each item a call writes or reads (a batch counts each item)."""
    if operation == "BatchWriteItem":
        requests = [r for rs in params["RequestItems"].values() for r in rs]
        return [
            (r.get("PutRequest", {}).get("Item") or r["DeleteRequest"]["Key"])["pk"]["S"]
            for r in requests
        ]
    if operation == "BatchGetItem":
        return [k["pk"]["S"] for v in params["RequestItems"].values() for k in v["Keys"]]
    if operation == "Query":
        # An index query (the RecentFailures listing) reads no item by its key.
        values = params["ExpressionAttributeValues"]
        return [values[":pk"]["S"]] if ":pk" in values else []
    key = params.get("Key") or params.get("Item") or {}
    return [key["pk"]["S"]] if "pk" in key else []


@pytest.mark.benchmark
@pytest.mark.parametrize(
    ("path", "body", "tasks"),
    [
        ("/register", {"name": "Ada"}, 1),
        ("/send-notification/you@example.com", None, 2),
        ("/items", {"name": "teapot", "description": "blue"}, 3),
    ],
    ids=["register", "notification", "item"],
)
def test_dynamodb_calls_per_task(cloud: Cloud, path: str, body: Any, tasks: int) -> None:
    counted = DynamoCalls()
    # The application's own calls and those of the tasks' rows (offload's clients).
    for client in (clients.dynamodb(), offload_clients().dynamodb):
        client.meta.events.register("provide-client-params.dynamodb.*", counted)

    status, answer = cloud.call_api("POST", path, body)
    api_calls = sum(counted.calls.values())
    handled = cloud.run_worker()

    assert status in (201, 202), answer
    assert len(handled) == tasks
    writes = counted.count("bookkeeping", WRITES) / tasks
    reads = counted.count("bookkeeping", {"GetItem", "Query", "BatchGetItem"}) / tasks
    feature = counted.count("feature", WRITES) / tasks
    rows = [[f"{op} ({kind})", n / tasks] for (kind, op), n in sorted(counted.calls.items())]
    print(f"\n\n== DynamoDB calls per task: POST {path} ({tasks} task(s)), API + worker ==")
    print(f"   API calls for the request: {api_calls}")
    print(table(["call", "per task"], rows))
    cost = writes * WRITE_PRICE + reads * READ_PRICE
    before = BEFORE_WRITES * WRITE_PRICE
    print(
        f"   bookkeeping: {writes:g} writes per task (before: {BEFORE_WRITES}), {reads:g} reads; "
        f"${cost:.2f} per million tasks (before: ${before:.2f}); "
        f"the feature's own writes: {feature:g} per task"
    )
    # Recent failures are a sparse index on the same rows: its key rides on the status writes
    # above, so a task that succeeds is never in it (no index write either)
    today = datetime.now(UTC).date()
    listed = len(background.failures(today))
    print(f"   tasks in the RecentFailures index afterwards: {listed} (writes of its own: none)")
    assert listed == 0
    # The design's promise: queued, started, finished
    assert writes <= 3
