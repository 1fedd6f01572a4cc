from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from offload import Envelope, PermanentTaskError, TaskRegistry, TaskRejectedError, current_task
from offload.consumer import TaskConsumer
from offload.context import TaskContext
from offload.hooks import Hook, Hooks
from offload.outcome import Deferred, Failed, Outcome, Retry
from offload.pipeline import TaskPipeline
from tests.conftest import load_event, make_context


class FakeDeadLetters:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.codes: list[str] = []

    def send(self, record: SQSRecord, reason: str, code: str) -> None:
        self.sent.append((record.message_id, reason))
        self.codes.append(code)


class Calls:
    def __init__(self) -> None:
        self.log: list[Any] = []


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
def registry(calls: Calls) -> TaskRegistry:
    registry = TaskRegistry()

    @registry.task("send_email")
    def send_email(email: str, message: str = "") -> None:
        calls.log.append(("send_email", email, message, current_task().attempt))

    @registry.task("flaky")
    def flaky() -> None:
        raise ConnectionError("SES timed out")

    @registry.task("doomed")
    def doomed() -> None:
        raise PermanentTaskError("the file is not an image")

    @registry.task("picky")
    def picky() -> None:
        raise TaskRejectedError("invalid_data", "The data is not a table.", "row 3 is ragged")

    @registry.task("fragile", max_attempts=2)
    def fragile() -> None:
        raise ConnectionError("still down")

    @registry.task("count")
    async def count(n: int) -> None:
        calls.log.append(("count", n))

    return registry


def record(body: str, message_id: str, receive_count: int = 1) -> dict[str, Any]:
    base: dict[str, Any] = load_event("worker_send_email")["Records"][0]
    return base | {
        "messageId": message_id,
        "body": body,
        "attributes": base["attributes"] | {"ApproximateReceiveCount": str(receive_count)},
    }


def envelope(task: str, *args: Any, **kwargs: Any) -> str:
    return Envelope(task=task, args=list(args), kwargs=kwargs).to_body()


class FakeVisibility:
    def __init__(self) -> None:
        self.delays: dict[str, int] = {}

    def delay(self, record: SQSRecord, seconds: int) -> None:
        self.delays[record.message_id] = seconds


class Outcomes(Hook):
    """What the hooks are told after each record: (task name or None, outcome)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str | None, Outcome]] = []

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        self.seen.append((None if task is None else task.name, outcome))


def consumer(
    registry: TaskRegistry,
    dead: Any,
    visibility: FakeVisibility | None = None,
    outcomes: Outcomes | None = None,
) -> TaskConsumer:
    hooks = Hooks([outcomes] if outcomes else [])
    return TaskConsumer(TaskPipeline(registry, hooks), dead, visibility or FakeVisibility())


def run(
    registry: TaskRegistry, dead: FakeDeadLetters, records: list[dict[str, Any]]
) -> dict[str, Any]:
    return dict(consumer(registry, dead).handle({"Records": records}, make_context()))


def test_sample_event_runs_the_task(registry: TaskRegistry, calls: Calls) -> None:
    dead = FakeDeadLetters()

    response = run(registry, dead, load_event("worker_send_email")["Records"])

    assert response == {"batchItemFailures": []}
    assert calls.log == [("send_email", "you@example.com", "some notification", 1)]
    assert dead.sent == []


def test_async_tasks_run(registry: TaskRegistry, calls: Calls) -> None:
    run(registry, FakeDeadLetters(), [record(envelope("count", 7), "m1")])

    assert calls.log == [("count", 7)]


def test_ordinary_errors_are_retryable_and_only_those_records_are_listed(
    registry: TaskRegistry, calls: Calls
) -> None:
    dead = FakeDeadLetters()
    records = [
        record(envelope("send_email", "a@example.com"), "ok-1"),
        record(envelope("flaky"), "flaky-1", receive_count=2),
        record(envelope("send_email", "b@example.com"), "ok-2"),
    ]

    response = run(registry, dead, records)

    assert response == {"batchItemFailures": [{"itemIdentifier": "flaky-1"}]}
    assert [c[1] for c in calls.log] == ["a@example.com", "b@example.com"]
    assert dead.sent == []


def test_every_record_failing_is_still_reported_item_by_item(registry: TaskRegistry) -> None:
    records = [record(envelope("flaky"), f"f-{i}") for i in range(3)]

    response = run(registry, FakeDeadLetters(), records)

    assert response == {"batchItemFailures": [{"itemIdentifier": f"f-{i}"} for i in range(3)]}


@pytest.mark.parametrize(
    ("body", "reason", "code"),
    [
        ("this is not json", "EnvelopeError: body is not JSON", "invalid_envelope"),
        (
            envelope("no_such_task"),
            "UnknownTaskError: unknown task 'no_such_task'",
            "unknown_task",
        ),
        (
            envelope("send_email"),
            "InvalidTaskArgumentsError: send_email: missing a required",
            "invalid_arguments",
        ),
        (
            envelope("count", "seven"),
            "InvalidTaskArgumentsError: count(n): Input should be",
            "invalid_arguments",
        ),
        # No version was ever 0 (nor a text): not an envelope (a newer one waits: below).
        (
            json.dumps({"v": 0, "task": "x"}),
            "EnvelopeError: not a task envelope: v:",
            "invalid_envelope",
        ),
        (
            json.dumps({"hello": "world"}),
            "PermanentTaskError: not a message this worker handles",
            "permanent_error",
        ),
        (envelope("doomed"), "PermanentTaskError: the file is not an image", "permanent_error"),
    ],
)
def test_permanent_failures_go_to_the_dlq_with_a_reason_and_are_acknowledged(
    registry: TaskRegistry, calls: Calls, body: str, reason: str, code: str
) -> None:
    dead = FakeDeadLetters()
    records = [record(body, "bad"), record(envelope("send_email", "a@example.com"), "good")]

    response = run(registry, dead, records)

    assert response == {"batchItemFailures": []}
    assert len(dead.sent) == 1
    message_id, sent_reason = dead.sent[0]
    assert message_id == "bad"
    assert sent_reason.startswith(reason)
    assert dead.codes == [code]
    assert calls.log == [("send_email", "a@example.com", "", 1)]


def test_a_newer_envelope_is_retried_until_its_attempts_run_out_then_dead_lettered_saying_so(
    registry: TaskRegistry, calls: Calls
) -> None:
    # A newer API queued it during a deploy; the worker that reads it is minutes away.
    body = json.dumps({"v": 2, "id": "t1", "task": "send_email", "args": [], "shape": "new"})
    dead, visibility, outcomes = FakeDeadLetters(), FakeVisibility(), Outcomes()
    worker = consumer(registry, dead, visibility, outcomes)

    waiting = worker.handle({"Records": [record(body, "n1", receive_count=4)]}, make_context())
    given_up = worker.handle({"Records": [record(body, "n1", receive_count=5)]}, make_context())

    assert waiting == {"batchItemFailures": [{"itemIdentifier": "n1"}]}
    assert 1 <= visibility.delays["n1"] <= 16
    assert given_up == {"batchItemFailures": []}
    assert dead.codes == ["unsupported_envelope_version"]
    assert [type(o).__name__ for _, o in outcomes.seen] == ["Retry", "Exhausted"]
    assert calls.log == []


def test_a_rejection_is_acknowledged_without_the_dlq_or_a_retry(registry: TaskRegistry) -> None:
    dead = FakeDeadLetters()

    response = run(registry, dead, [record(envelope("picky"), "p1")])

    assert response == {"batchItemFailures": []}
    assert dead.sent == []


def test_a_record_that_cannot_reach_the_dlq_is_retried_not_lost(registry: TaskRegistry) -> None:
    class BrokenDeadLetters:
        def send(self, record: SQSRecord, reason: str, code: str) -> None:
            raise ConnectionError("SQS unreachable")

    event = {"Records": [record("not json", "bad")]}
    visibility, outcomes = FakeVisibility(), Outcomes()

    response = consumer(registry, BrokenDeadLetters(), visibility, outcomes).handle(
        event, make_context()
    )

    assert response == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    # Back when the queue's visibility timeout says, and the hooks hear of a retry, not a DLQ.
    assert visibility.delays == {}
    [(task, outcome)] = outcomes.seen
    assert task is None
    # A Retry: the row would say retrying (this one never became a task).
    assert isinstance(outcome, Retry)
    assert outcome.delay_seconds is None
    assert outcome.detail.startswith("not dead-lettered: EnvelopeError: body is not JSON")


def test_the_hooks_hear_of_a_message_that_never_became_a_task_with_no_task(
    registry: TaskRegistry,
) -> None:
    outcomes = Outcomes()

    consumer(registry, FakeDeadLetters(), outcomes=outcomes).handle(
        {"Records": [record("not json", "bad"), record(envelope("doomed"), "doomed")]},
        make_context(),
    )

    assert [(task, type(outcome)) for task, outcome in outcomes.seen] == [
        (None, Failed),
        ("doomed", Failed),
    ]


@pytest.mark.parametrize(("remaining_ms", "handed_back"), [(4_999, True), (5_000, False)])
def test_a_record_is_handed_back_unstarted_when_the_invocation_is_about_to_time_out(
    registry: TaskRegistry, calls: Calls, remaining_ms: int, handed_back: bool
) -> None:
    visibility, outcomes = FakeVisibility(), Outcomes()
    records = [record(envelope("send_email", "a@example.com"), "m1")]

    response = consumer(registry, FakeDeadLetters(), visibility, outcomes).handle(
        {"Records": records}, make_context(remaining_millis=remaining_ms)
    )

    if handed_back:
        assert response == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
        assert calls.log == []
        # Visible again at once, and the row is left as it is (deferred, not retried).
        assert visibility.delays == {"m1": 0}
        assert outcomes.seen == [(None, Deferred(0, "not started: the invocation is ending"))]
    else:
        assert response == {"batchItemFailures": []}
        assert calls.log == [("send_email", "a@example.com", "", 1)]


def test_s3_test_event_is_acknowledged_and_ignored(registry: TaskRegistry, calls: Calls) -> None:
    dead = FakeDeadLetters()

    response = run(registry, dead, load_event("worker_s3_test_event")["Records"])

    assert response == {"batchItemFailures": []}
    assert dead.sent == []
    assert calls.log == []


def test_mixed_sample_batch(registry: TaskRegistry, calls: Calls) -> None:
    dead = FakeDeadLetters()
    records = load_event("worker_mixed_batch")["Records"]

    response = run(registry, dead, records)

    assert response == {"batchItemFailures": []}
    assert len(calls.log) == 1
    assert len(dead.sent) == len(records) - 1


def test_a_tasks_own_attempt_limit_dead_letters_it_early(registry: TaskRegistry) -> None:
    dead = FakeDeadLetters()

    first = run(registry, dead, [record(envelope("fragile"), "f1", receive_count=1)])
    second = run(registry, dead, [record(envelope("fragile"), "f2", receive_count=2)])

    assert first == {"batchItemFailures": [{"itemIdentifier": "f1"}]}
    assert second == {"batchItemFailures": []}
    [(message_id, reason)] = dead.sent
    assert message_id == "f2"
    assert reason == (
        "RetriesExhaustedError: gave up after 2 attempts: ConnectionError: still down"
    )


class Journal(Hook):
    """Journals what the worker does, in order: the hooks' `after`, the DLQ, the delay."""

    def __init__(self) -> None:
        self.entries: list[str] = []

    def after(self, task: TaskContext | None, outcome: Outcome) -> None:
        self.entries.append(f"after {type(outcome).__name__}")


@pytest.mark.parametrize(
    ("task", "receive_count", "order"),
    [
        # The status waits for the DLQ: it never says dead-lettered of a message still queued.
        ("doomed", 1, ["dead letter", "after Failed"]),
        # The status comes first while the message is still hidden: once the delay is set, the
        # next delivery may start, and a late write would overwrite what that run records.
        ("flaky", 1, ["after Retry", "delay"]),
    ],
)
def test_the_status_is_written_when_no_other_delivery_can_run(
    registry: TaskRegistry, task: str, receive_count: int, order: list[str]
) -> None:
    journal = Journal()

    class Dead(FakeDeadLetters):
        def send(self, record: SQSRecord, reason: str, code: str) -> None:
            journal.entries.append("dead letter")

    class Visibility(FakeVisibility):
        def delay(self, record: SQSRecord, seconds: int) -> None:
            journal.entries.append("delay")

    worker = TaskConsumer(TaskPipeline(registry, Hooks([journal])), Dead(), Visibility())
    worker.handle({"Records": [record(envelope(task), "m1", receive_count)]}, make_context())

    assert journal.entries == order
