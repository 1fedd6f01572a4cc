"""Failure faults: poison messages, a task that never works, a crash between the email and its
record, DynamoDB refusing the task's row, and redrive once the cause is fixed."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from app.email import Email, Mailer
from app.tasks.notifications import send_email
from offload import current_task
from offload.envelope import Envelope
from offload_local.queues.listing import dead_letter_queues, list_queues, peek, source_of
from offload_local.queues.redrive import redrive
from tests.background import offload_clients
from tests.functional.faults.harness import (
    CRASH_LOCK_MILLIS,
    FaultCloud,
    InProcessWorker,
    QueueConfig,
)
from tests.functional.faults.tasks import Crash, FaultSchedule, fault_effect, labels

Figures = Callable[..., None]


def reasons(dead: list[dict[str, Any]]) -> dict[str, str]:
    """DLQ reason by message body."""
    return {m["Body"]: m["MessageAttributes"]["reason"]["StringValue"] for m in dead}


def test_poison_messages_go_to_the_dead_letter_queue_with_a_reason_and_the_rest_succeed(
    fault_cloud: FaultCloud, worker: InProcessWorker
) -> None:
    good = fault_cloud.enqueue(fault_cloud.envelopes(fault_effect, labels(5)))
    unknown = Envelope(task="no_such_task")
    invalid = Envelope(task="fault_effect", args=[123])
    missing = Envelope(task="fault_effect")
    poison = {
        "this is not JSON {": "EnvelopeError: body is not JSON",
        json.dumps({"v": 0, "id": "x", "task": "fault_effect"}): "EnvelopeError: not a task",
        unknown.to_body(): "UnknownTaskError: unknown task 'no_such_task'",
        invalid.to_body(): "InvalidTaskArgumentsError: fault_effect(label): Input should be",
        missing.to_body(): "InvalidTaskArgumentsError: fault_effect: missing a required",
    }
    sent = {fault_cloud.send_raw(body): body for body in poison}

    with fault_cloud.pollers(worker):
        fault_cloud.settle(good)
        dead = fault_cloud.wait_for_dead_letters(len(poison))

    # Each poison message was delivered once, never retried, and dead-lettered with its reason
    deliveries = [d for d in worker.deliveries if d.message_id in sent]
    assert sorted(d.message_id for d in deliveries) == sorted(sent)
    assert {d.outcome for d in deliveries} == {"succeeded"}  # acknowledged once dead-lettered
    found = reasons(dead)
    assert set(found) == set(poison)
    for body, expected in poison.items():
        assert found[body].startswith(expected), found[body]
    assert {m["MessageAttributes"]["receive_count"]["StringValue"] for m in dead} == {"1"}
    # The tasks it could name are failed, with the reason; the good ones all succeeded
    for envelope in (unknown, invalid, missing):
        status = fault_cloud.status(envelope.id)
        assert status is not None
        assert status.status == "failed"
        assert status.reason is not None
        codes = {m["Body"]: m["MessageAttributes"]["reason_code"]["StringValue"] for m in dead}
        assert status.reason.code == codes[envelope.to_body()]
    assert {s.status if s else None for s in fault_cloud.statuses(good).values()} == {"succeeded"}
    assert worker.unexpected == []


def test_a_task_that_always_fails_is_dead_lettered_after_max_receive_count(
    fault_cloud: FaultCloud, worker: InProcessWorker, faults: FaultSchedule
) -> None:
    [broken, fine] = fault_cloud.enqueue(fault_cloud.envelopes(fault_effect, labels(2)))
    faults.plan(broken, default="transient")

    with fault_cloud.pollers(worker):
        fault_cloud.settle([broken, fine])

    deliveries = worker.deliveries_of(broken)
    assert [d.receive_count for d in deliveries] == [1, 2, 3, 4, 5]
    assert [d.outcome for d in deliveries] == ["failed"] * 4 + ["succeeded"]
    [dead] = fault_cloud.dead_letters()
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["task_id"] == broken
    assert attributes["reason"] == (
        "RetriesExhaustedError: gave up after 5 attempts: TransientFault: transient fault in task-0"
    )
    status = fault_cloud.status(broken)
    assert status is not None
    assert (status.status, status.attempts) == ("dead_lettered", 5)
    assert status.reason is not None
    assert status.reason.code == attributes["reason_code"] == "retries_exhausted"
    assert (faults.runs[broken], faults.effects[broken]) == (5, 0)
    # and the healthy task beside it succeeded, run and done once
    partner = fault_cloud.status(fine)
    assert partner is not None
    assert (partner.status, partner.attempts, faults.effects[fine]) == ("succeeded", 1, 1)
    assert worker.unexpected == []


# The redelivery after a crash comes once the crashed run's lock (CRASH_LOCK_MILLIS) expired;
# each crash also sends its batch's unstarted records round again: receives to spare for those.
@pytest.mark.parametrize("queue_config", [QueueConfig(visibility_timeout=4, max_receive_count=8)])
def test_a_crash_after_the_email_before_its_record_sends_at_most_twice(
    fault_cloud: FaultCloud,
    monkeypatch: pytest.MonkeyPatch,
    figures: Figures,
) -> None:
    # Given ten emails, three of which crash the worker right after SES accepted them: the
    # idempotency record stays "in progress" until the invocation's time is up, then the
    # redelivery finds it expired and sends again (SES takes no idempotency token)
    worker = InProcessWorker(remaining_millis=CRASH_LOCK_MILLIS)
    recipients = [f"user{i}@example.com" for i in range(10)]
    task_ids = fault_cloud.enqueue(fault_cloud.envelopes(send_email, [(r,) for r in recipients]))
    crashing = {1, 4, 8}
    crash_once = {task_ids[i] for i in crashing}
    lock = threading.Lock()

    real_send = Mailer.send

    def send_then_crash(mailer: Mailer, email: Email) -> str:
        message_id = real_send(mailer, email)
        with lock:
            crash = current_task().id in crash_once
            crash_once.discard(current_task().id)
        if crash:
            raise Crash(f"the worker died after emailing {email.to}")
        return message_id

    monkeypatch.setattr(Mailer, "send", send_then_crash)

    with fault_cloud.pollers(worker):
        fault_cloud.settle(task_ids)

    sends = fault_cloud.emails_to()
    crashed = {recipients[i] for i in crashing}
    assert crash_once == set()
    assert worker.crashed_invocations == 3
    assert set(sends) == set(recipients)
    # At most one extra send per crash; every other recipient got exactly one
    assert all(1 <= sends[r] <= 2 for r in crashed), sends
    assert all(sends[r] == 1 for r in recipients if r not in crashed), sends
    # and every task succeeded, its runs counted: the crashed run and the one after it, or one
    statuses = fault_cloud.statuses(task_ids).values()
    found = {
        r: (s.status, s.attempts) if s else None for r, s in zip(recipients, statuses, strict=True)
    }
    assert found == {r: ("succeeded", 2 if r in crashed else 1) for r in recipients}
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []
    doubles = sum(1 for r in crashed if sends[r] == 2)
    figures(
        "crash_window",
        f"crash window: {len(task_ids)} tasks, {len(crashed)} crashes after the send, "
        f"{doubles} double sends, all succeeded",
        tasks=len(task_ids),
        crashes=len(crashed),
        double_sends=doubles,
    )


def fail_once_per_key(
    table: str, completing: Callable[[dict[str, Any]], bool]
) -> tuple[set[str], Callable[..., None]]:
    """A hook for the app's DynamoDB client: the first completing write of each key fails."""
    failed: set[str] = set()
    lock = threading.Lock()

    def hook(params: dict[str, Any], **_: Any) -> None:
        if params.get("TableName") != table or not completing(params):
            return
        key = json.dumps(params["Key"], sort_keys=True)
        with lock:
            if key in failed:
                return
            failed.add(key)
        raise ClientError(
            {"Error": {"Code": "InternalServerError", "Message": "injected"}}, "UpdateItem"
        )

    return failed, hook


def marks_running(params: dict[str, Any]) -> bool:
    """The run's start: the write that takes the task's lock (offload.lifecycle's START)."""
    return bool(params.get("ExpressionAttributeValues", {}).get(":status") == {"S": "running"})


def marks_succeeded(params: dict[str, Any]) -> bool:
    """The run's completion: the write that makes the row the task's result (SUCCEED)."""
    return bool(params.get("ExpressionAttributeValues", {}).get(":status") == {"S": "succeeded"})


@pytest.mark.parametrize(
    ("write", "figure"),
    [
        pytest.param(marks_running, "dynamodb_failing_at_start", id="at-start"),
        pytest.param(marks_succeeded, "dynamodb_failing", id="at-completion"),
    ],
)
# Retries come back after 1 s, and are turned away until the failed run's lock expires.
@pytest.mark.parametrize("queue_config", [QueueConfig(max_receive_count=8)])
def test_the_task_row_failing_to_be_written_is_never_a_silent_success(
    fault_cloud: FaultCloud,
    faults: FaultSchedule,
    figures: Figures,
    write: Callable[[dict[str, Any]], bool],
    figure: str,
) -> None:
    # Given one write of the task's row failing once per task: the row is the task's status,
    # lock and result. At the start no lock is taken and nothing runs; at completion
    # the row stays in progress until the run's lock expires, then the effect is redone, as
    # after a crash (the crash window again)
    worker = InProcessWorker(remaining_millis=CRASH_LOCK_MILLIS)
    task_ids = fault_cloud.enqueue(fault_cloud.envelopes(fault_effect, labels(5)))
    failed, hook = fail_once_per_key(fault_cloud.table, write)
    offload_clients().dynamodb.meta.events.register(
        "provide-client-params.dynamodb.UpdateItem", hook
    )

    with fault_cloud.pollers(worker):
        fault_cloud.settle(task_ids)

    assert len(failed) == len(task_ids)
    for task_id in task_ids:
        first, *later = worker.deliveries_of(task_id)
        # the run whose row could not be written was reported failed, not succeeded
        assert (first.receive_count, first.outcome) == (1, "failed")
        assert later
        assert later[-1].outcome == "succeeded"
    assert {s.status if s else None for s in fault_cloud.statuses(task_ids).values()} == {
        "succeeded"
    }
    most = 1 if write is marks_running else 2
    assert all(1 <= faults.effects[i] <= most for i in task_ids)
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []
    doubles = sum(1 for i in task_ids if faults.effects[i] == 2)
    where = "at start" if write is marks_running else "at completion"
    figures(
        figure,
        f"task row write failing {where}: {len(task_ids)} tasks, every first run reported "
        f"failed, {doubles} effects redone, all succeeded",
        tasks=len(task_ids),
        redone=doubles,
    )


def test_redrive_after_a_fix_succeeds_every_dead_letter_and_redoes_nothing(
    fault_cloud: FaultCloud, worker: InProcessWorker, faults: FaultSchedule, figures: Figures
) -> None:
    # Given a bug: two tasks fail permanently, two keep failing until out of attempts
    envelopes = fault_cloud.envelopes(fault_effect, labels(6))
    task_ids = fault_cloud.enqueue(envelopes)
    permanent, exhausted, fine = task_ids[:2], task_ids[2:4], task_ids[4:]
    for task_id in permanent:
        faults.plan(task_id, default="permanent")
    for task_id in exhausted:
        faults.plan(task_id, default="transient")
    with fault_cloud.pollers(worker):
        fault_cloud.settle(task_ids)
    # and a stale copy of a task that succeeded, dead-lettered too (a duplicate SQS moved)
    fault_cloud.sqs.send_message(
        QueueUrl=fault_cloud.dead_letter_queue_url, MessageBody=envelopes[4].to_body()
    )
    before = {i: s.status if s else None for i, s in fault_cloud.statuses(task_ids).items()}
    assert before == dict.fromkeys(permanent, "failed") | dict.fromkeys(
        exhausted, "dead_lettered"
    ) | dict.fromkeys(fine, "succeeded")
    assert len(fault_cloud.dead_letters()) == 5

    # When the fix is deployed and the dead-letter queue redriven (what `redrive` does)
    for task_id in task_ids:
        faults.set_default(task_id, "ok")
    queues = list_queues(fault_cloud.aws)
    # The task queue's (the heavy queue has its own).
    [dead_letter] = dead_letter_queues(
        fault_cloud.aws, fault_cloud.dead_letter_queue_url.rsplit("/", 1)[-1]
    )
    moved = redrive(fault_cloud.aws, dead_letter, source_of(dead_letter, queues, None))
    with fault_cloud.pollers(worker):
        fault_cloud.settle(task_ids)

    # Then every task succeeded, each effect happened once, and the DLQ is empty
    assert moved == 5
    assert {s.status if s else None for s in fault_cloud.statuses(task_ids).values()} == {
        "succeeded"
    }
    assert faults.effects == dict.fromkeys(task_ids, 1)
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []
    figures(
        "redrive",
        f"redrive: {moved} dead letters moved back, {len(task_ids)} tasks succeeded, "
        f"{sum(faults.effects.values())} effects for {len(task_ids)} tasks",
        moved=moved,
        tasks=len(task_ids),
        effects=sum(faults.effects.values()),
    )


def test_the_dead_letter_listing_shows_every_dead_letter(
    fault_cloud: FaultCloud, worker: InProcessWorker
) -> None:
    # Given fifteen poison messages, dead-lettered by the worker with their reasons
    bodies = sorted(f"not JSON {i}" for i in range(15))
    for body in bodies:
        fault_cloud.send_raw(body)
    with fault_cloud.pollers(worker):
        fault_cloud.wait_for_dead_letters(len(bodies))

    # When the dead-letter queue is listed as `offload-local dlq --limit 50` lists it
    # The task queue's (the heavy queue has its own).
    [dead_letter] = dead_letter_queues(
        fault_cloud.aws, fault_cloud.dead_letter_queue_url.rsplit("/", 1)[-1]
    )
    listed = peek(fault_cloud.aws, dead_letter, limit=50)

    # Then every one of them is shown
    assert sorted(m["Body"] for m in listed) == bodies
