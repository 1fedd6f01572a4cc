"""Delivery faults: duplicates, retries of part of a batch, a failing handler, overlapping
consumers. Each message goes through moto's SQS and the local cloud's pollers to the worker."""

from __future__ import annotations

import pytest

from app.tasks.notifications import send_email
from offload_local.event_sources.records import sqs_event
from tests.functional.faults.harness import (
    REGION,
    FaultCloud,
    InProcessWorker,
    QueueConfig,
)
from tests.functional.faults.tasks import FaultSchedule, fault_effect, labels
from tests.polling import wait_for


def test_the_same_message_delivered_twice_sends_one_email(
    fault_cloud: FaultCloud, worker: InProcessWorker
) -> None:
    # Given an email task whose first delivery succeeded but whose delete never happened
    # (SQS is at-least-once: the poller may die, or the delete be lost, after the invocation)
    [task_id] = fault_cloud.enqueue(fault_cloud.envelopes(send_email, [("you@example.com",)]))
    received = fault_cloud.sqs.receive_message(
        QueueUrl=fault_cloud.task_queue_url,
        MessageSystemAttributeNames=["All"],
        MessageAttributeNames=["All"],
    )["Messages"]
    first = worker(sqs_event(received, fault_cloud.task_queue_arn, REGION))
    assert first.ok
    assert first.result == {"batchItemFailures": []}

    # When the message comes back after its visibility timeout and the pollers deliver it
    with fault_cloud.pollers(worker):
        fault_cloud.settle([task_id])

    # Then the same message was delivered twice, and one email was sent
    deliveries = worker.deliveries_of(task_id)
    assert [(d.message_id, d.receive_count, d.outcome) for d in deliveries] == [
        (received[0]["MessageId"], 1, "succeeded"),
        (received[0]["MessageId"], 2, "succeeded"),
    ]
    assert fault_cloud.emails_to() == {"you@example.com": 1}
    status = fault_cloud.status(task_id)
    assert status is not None
    # Attempts count runs: the duplicate of a finished task is neither run nor counted
    assert (status.status, status.attempts) == ("succeeded", 1)
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []


def test_the_same_task_id_sent_as_two_messages_sends_one_email(
    fault_cloud: FaultCloud, worker: InProcessWorker
) -> None:
    # Given a producer retry: the envelope was queued, then sent again as a second message
    [envelope] = fault_cloud.envelopes(send_email, [("you@example.com",)])
    [task_id] = fault_cloud.enqueue([envelope])
    fault_cloud.send_raw(envelope.to_body())

    # When two pollers run
    with fault_cloud.pollers(worker, concurrency=2):
        fault_cloud.settle([task_id])

    # Then both messages were delivered and acknowledged, and one email was sent
    deliveries = worker.deliveries_of(task_id)
    assert len({d.message_id for d in deliveries}) == 2
    assert fault_cloud.emails_to() == {"you@example.com": 1}
    status = fault_cloud.status(task_id)
    assert status is not None
    assert status.status == "succeeded"
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []


# A longer visibility timeout than the others: a slow batch (ten runs on a loaded machine) must
# not come back on its own, or tasks that never failed would be redelivered. It costs nothing:
# retries come back after their 1 s backoff.
@pytest.mark.parametrize("queue_config", [QueueConfig(visibility_timeout=10)])
def test_ten_tasks_two_failing_once_retries_exactly_those_two(
    fault_cloud: FaultCloud, worker: InProcessWorker, faults: FaultSchedule
) -> None:
    task_ids = fault_cloud.enqueue(fault_cloud.envelopes(fault_effect, labels(10)))
    failing = {task_ids[2], task_ids[7]}
    for task_id in failing:
        faults.plan(task_id, ["transient"])

    with fault_cloud.pollers(worker):
        fault_cloud.settle(task_ids)

    redelivered = {d.task_id for d in worker.deliveries if d.receive_count > 1}
    assert redelivered == failing
    assert worker.delivery_counts() == {i: 2 if i in failing else 1 for i in task_ids}
    assert faults.effects == dict.fromkeys(task_ids, 1)
    statuses = fault_cloud.statuses(task_ids)
    assert {i: (s.status, s.attempts) if s else None for i, s in statuses.items()} == {
        i: ("succeeded", 2 if i in failing else 1) for i in task_ids
    }
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []


# Long enough for the redelivered batch to finish before it could come back a third time.
@pytest.mark.parametrize("queue_config", [QueueConfig(visibility_timeout=5)])
def test_a_handler_exception_after_five_records_retries_the_whole_batch_without_redoing(
    fault_cloud: FaultCloud, worker: InProcessWorker, faults: FaultSchedule
) -> None:
    # Given ten tasks, and a handler that raises, outside the per-record code, once five
    # records are done (Lambda then retries the whole batch, whatever was done)
    task_ids = fault_cloud.enqueue(fault_cloud.envelopes(fault_effect, labels(10)))
    worker.fail_next_invocation_after(5)

    with fault_cloud.pollers(worker, concurrency=1):
        fault_cloud.settle(task_ids)

    # Then the first invocation had the whole batch and failed
    first = worker.deliveries[:10]
    assert {d.task_id for d in first} == set(task_ids)
    assert {d.outcome for d in first} == {"invocation_failed"}
    # and every message of it came back, the five done ones included
    assert {d.task_id for d in worker.deliveries[10:]} == set(task_ids)
    assert all(d.receive_count == 2 for d in worker.deliveries[10:])
    # but nothing was done twice
    assert faults.runs == dict.fromkeys(task_ids, 1)
    assert faults.effects == dict.fromkeys(task_ids, 1)
    # and each was run, and counted, once: the five done ones were found done
    statuses = fault_cloud.statuses(task_ids)
    found = {i: (s.status, s.attempts) if s else None for i, s in statuses.items()}
    assert found == dict.fromkeys(task_ids, ("succeeded", 1))
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []


@pytest.mark.parametrize("queue_config", [QueueConfig(visibility_timeout=1)])
def test_work_longer_than_the_visibility_timeout_with_two_consumers_has_one_effect(
    fault_cloud: FaultCloud, faults: FaultSchedule
) -> None:
    # Given a task still running when its visibility timeout ends (the Lambda timeout, hence
    # the in-progress lock, outlasts it as it does in production)
    worker = InProcessWorker(remaining_millis=30_000)
    [task_id] = fault_cloud.enqueue(fault_cloud.envelopes(fault_effect, labels(1)))
    faults.plan(task_id, ["hold"])

    with fault_cloud.pollers(worker, concurrency=2):
        try:
            # When the other consumer receives it meanwhile, the first is let go on
            [turned_away, *_] = wait_for(
                "a second delivery turned away",
                lambda: [d for d in worker.deliveries_of(task_id) if d.outcome == "failed"],
            )
        finally:
            faults.release()
        fault_cloud.settle([task_id])

    # Then the second delivery was turned away while the first ran, and the effect happened once
    [holder] = [d for d in worker.deliveries_of(task_id) if d.receive_count == 1]
    assert holder.outcome == "succeeded"
    assert turned_away.receive_count >= 2
    assert turned_away.environment != holder.environment
    assert faults.runs[task_id] == 1
    assert faults.effects[task_id] == 1
    status = fault_cloud.status(task_id)
    assert status is not None
    assert status.status == "succeeded"
    assert fault_cloud.dead_letters() == []
    assert worker.unexpected == []
