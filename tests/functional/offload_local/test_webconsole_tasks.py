"""The console's recent failures on the local cloud's stack (moto), from the rows the worker
writes: today's and yesterday's (by the UTC day), newest first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from offload import Envelope
from offload.context import TaskContext
from offload.dynamodb import Table
from offload.lifecycle import FAIL
from offload.reasons import Reason
from offload.rows import DynamoDBTaskRows
from offload.testing import Clock
from offload_local.provision.deployment import Deployment
from offload_local.webconsole.stack import Target
from offload_local.webconsole.tasks import recent_failures

NOON = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
INVALID = Reason(code="invalid_data", message="The data cannot be used.")


def test_recent_failures_are_todays_and_yesterdays_newest_first(
    local_console: Target, in_process_stack: Deployment
) -> None:
    # Given tasks that failed, written as the worker writes their rows, at these times
    dynamodb = in_process_stack.aws.client("dynamodb")
    clock = Clock(NOON - timedelta(days=2))
    [table] = local_console.view().task_tables()
    rows = DynamoDBTaskRows(Table(table, lambda: dynamodb), timedelta(days=14), clock.now)
    failed: dict[str, str] = {}
    for at in (
        NOON - timedelta(days=2),  # the day before yesterday: no longer recent
        NOON - timedelta(hours=13),  # yesterday, 23:00
        NOON - timedelta(hours=12, seconds=1),  # yesterday, 23:59:59
        NOON - timedelta(hours=12),  # today, 00:00:00
        NOON - timedelta(hours=1),  # today, 11:00
    ):
        clock.advance(at - clock.now())
        envelope = Envelope(task="t", enqueued_at=at)
        rows.record(TaskContext.of(envelope, 1), FAIL, INVALID)
        failed[f"{at:%d %H:%M:%S}"] = envelope.id

    # When the console lists them at noon
    listed = recent_failures(local_console, clock=lambda: NOON)

    # Then today's then yesterday's, each day's newest first
    newest_first = ("08 11:00:00", "08 00:00:00", "07 23:59:59", "07 23:00:00")
    assert [f["id"] for f in listed] == [failed[when] for when in newest_first]
    # and, when fewer are asked for, the newest of them
    fewer = recent_failures(local_console, limit=3, clock=lambda: NOON)
    assert [f["id"] for f in fewer] == [failed[when] for when in newest_first[:3]]
