from __future__ import annotations

import math
from typing import Any

import pytest

from offload import EnqueueError, Envelope
from offload.queue import SqsTaskQueue, batches


class FakeSqs:
    """Records SendMessageBatch calls; `refuse` maps an attempt number to the entry ids it fails."""

    def __init__(self, refuse: dict[int, dict[str, bool]] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.refuse = refuse or {}

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        attempt = len(self.calls)
        self.calls.append(Entries)
        refused = self.refuse.get(attempt, {})
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e["Id"] not in refused],
            "Failed": [
                {"Id": e["Id"], "SenderFault": refused[e["Id"]], "Code": "InternalError"}
                for e in Entries
                if e["Id"] in refused
            ],
        }


def queue(fake: FakeSqs, **kwargs: Any) -> SqsTaskQueue:
    return SqsTaskQueue("https://sqs/q", fake, sleep=lambda _: None, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [1, 2, 9, 10, 11, 20, 21, 100])
def test_n_tasks_take_ceil_n_over_10_calls(n: int) -> None:
    fake = FakeSqs()

    queue(fake).send([Envelope(task="t") for _ in range(n)])

    assert len(fake.calls) == math.ceil(n / 10)
    assert sum(len(c) for c in fake.calls) == n


def test_batches_also_respect_the_byte_limit() -> None:
    bodies = ["x" * 100] * 5

    assert list(batches(bodies, max_bytes=250)) == [[0, 1], [2, 3], [4]]


def test_entries_carry_task_name_and_id_as_attributes() -> None:
    fake = FakeSqs()
    envelope = Envelope(task="send_email")

    queue(fake).send([envelope])

    attributes = fake.calls[0][0]["MessageAttributes"]
    assert attributes["task"]["StringValue"] == "send_email"
    assert attributes["task_id"]["StringValue"] == envelope.id


TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def test_every_entry_carries_the_request_trace_header() -> None:
    fake = FakeSqs()

    queue(fake, trace_header=lambda: TRACE).send([Envelope(task="t") for _ in range(12)])

    entries = [entry for call in fake.calls for entry in call]
    assert len(entries) == 12
    assert {e["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"] for e in entries} == {
        TRACE
    }
    assert {e["MessageSystemAttributes"]["AWSTraceHeader"]["DataType"] for e in entries} == {
        "String"
    }


def test_the_trace_header_is_lambdas_and_absent_outside_lambda(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeSqs()
    monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
    queue(fake).send([Envelope(task="t")])
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    queue(fake).send([Envelope(task="t")])

    traced, untraced = fake.calls[0][0], fake.calls[1][0]
    assert traced["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"] == TRACE
    assert "MessageSystemAttributes" not in untraced


def test_failed_entries_are_retried_alone() -> None:
    fake = FakeSqs(refuse={0: {"3": False, "7": False}})

    queue(fake).send([Envelope(task="t") for _ in range(10)])

    assert [len(c) for c in fake.calls] == [10, 2]
    assert {e["Id"] for e in fake.calls[1]} == {"3", "7"}


def test_entries_still_refused_after_the_retries_raise_with_their_task_ids() -> None:
    fake = FakeSqs(refuse={i: {"1": False} for i in range(3)})
    envelopes = [Envelope(task="t") for _ in range(3)]

    with pytest.raises(EnqueueError, match="1 of 3 tasks not queued") as caught:
        queue(fake, attempts=3).send(envelopes)

    assert caught.value.task_ids == [envelopes[1].id]
    assert len(fake.calls) == 3


def test_sender_faults_are_not_retried() -> None:
    fake = FakeSqs(refuse={0: {"0": True}})

    with pytest.raises(EnqueueError):
        queue(fake).send([Envelope(task="t"), Envelope(task="t")])

    assert len(fake.calls) == 1


def test_no_queue_configured_is_an_enqueue_error() -> None:
    with pytest.raises(EnqueueError, match="no task queue"):
        SqsTaskQueue("", FakeSqs()).send([Envelope(task="t")])  # type: ignore[arg-type]


def test_a_task_due_later_carries_its_delay_per_message() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    fake = FakeSqs()
    later = Envelope(task="t", due_at=now + timedelta(seconds=90.5))
    queue(fake, clock=lambda: now).send([Envelope(task="t"), later])

    [entries] = fake.calls
    assert "DelaySeconds" not in entries[0]
    assert entries[1]["DelaySeconds"] == 91


def test_the_router_sends_each_task_to_the_queue_its_declaration_names() -> None:
    from offload import TaskRegistry
    from offload.queue import QueueRouter

    registry = TaskRegistry()
    registry.register("quick", lambda: None)
    registry.register("thumbnail", lambda: None, queue="heavy")
    default, heavy = FakeSqs(), FakeSqs()
    router = QueueRouter({"default": queue(default), "heavy": queue(heavy)}, registry)

    router.send([Envelope(task="quick"), Envelope(task="thumbnail"), Envelope(task="quick")])

    assert [len(call) for call in default.calls] == [2]
    assert [len(call) for call in heavy.calls] == [1]


def test_a_task_naming_a_queue_the_function_lacks_fails_at_start_up() -> None:
    from offload import TaskRegistry
    from offload.exceptions import UnknownQueueError
    from offload.queue import QueueRouter

    registry = TaskRegistry()
    registry.register("thumbnail", lambda: None, queue="heavy")
    with pytest.raises(UnknownQueueError, match=r"'heavy' \(named by thumbnail\)"):
        QueueRouter({"default": queue(FakeSqs())}, registry)


def test_one_queue_refusing_names_only_its_tasks() -> None:
    from offload import TaskRegistry
    from offload.queue import QueueRouter

    registry = TaskRegistry()
    registry.register("quick", lambda: None)
    registry.register("thumbnail", lambda: None, queue="heavy")
    refusing = FakeSqs(refuse={0: {"0": False}, 1: {"0": False}, 2: {"0": False}})
    router = QueueRouter({"default": queue(FakeSqs()), "heavy": queue(refusing)}, registry)
    heavy = Envelope(task="thumbnail")

    with pytest.raises(EnqueueError) as refused:
        router.send([Envelope(task="quick"), heavy])
    assert refused.value.task_ids == [heavy.id]
