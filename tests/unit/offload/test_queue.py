from __future__ import annotations

import math
from typing import Any

import pytest
from botocore.exceptions import BotoCoreError, ClientError

from offload import EnqueueError, Envelope
from offload.envelope import PayloadRef
from offload.queue import SqsTaskQueue, batches


class FakeSqs:
    """Records SendMessageBatch calls; `refuse` maps a call's number to the entry ids it fails
    (id -> SenderFault), answered with `code` and, when given, `message` as SQS words them."""

    def __init__(
        self,
        refuse: dict[int, dict[str, bool]] | None = None,
        code: str = "InternalError",
        message: str | None = None,
    ) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.refuse = refuse or {}
        self.code = code
        self.message = message

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        attempt = len(self.calls)
        self.calls.append(Entries)
        refused = self.refuse.get(attempt, {})
        return {
            "Successful": [{"Id": e["Id"]} for e in Entries if e["Id"] not in refused],
            "Failed": [
                {"Id": e["Id"], "SenderFault": refused[e["Id"]], "Code": self.code}
                | ({"Message": self.message} if self.message is not None else {})
                for e in Entries
                if e["Id"] in refused
            ],
        }


class BrokenSqs(FakeSqs):
    """Raises `errors` in turn from SendMessageBatch, then takes everything."""

    def __init__(self, *errors: Exception) -> None:
        super().__init__()
        self.errors = list(errors)

    def send_message_batch(self, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        if self.errors:
            self.calls.append(Entries)
            raise self.errors.pop(0)
        return super().send_message_batch(QueueUrl, Entries)


def queue(fake: FakeSqs, **kwargs: Any) -> SqsTaskQueue:
    client: Any = fake
    return SqsTaskQueue("https://sqs/q", lambda: client, sleep=lambda _: None, **kwargs)


@pytest.mark.parametrize("n", [1, 2, 9, 10, 11, 20, 21, 100])
def test_n_tasks_take_ceil_n_over_10_calls(n: int) -> None:
    fake = FakeSqs()

    queue(fake).send([Envelope(task="t") for _ in range(n)])

    assert len(fake.calls) == math.ceil(n / 10)
    assert sum(len(c) for c in fake.calls) == n


@pytest.mark.parametrize(
    ("bodies", "expected"),
    [
        (["x" * 100] * 5, [[0, 1], [2, 3], [4]]),
        # The limit is inclusive: batches that fill it exactly are not split.
        (["x" * 125] * 4, [[0, 1], [2, 3]]),
    ],
)
def test_batches_also_respect_the_byte_limit(bodies: list[str], expected: list[list[int]]) -> None:
    assert list(batches(bodies, max_bytes=250)) == expected


def test_the_queues_byte_limit_splits_its_batches() -> None:
    fake = FakeSqs()
    envelopes = [Envelope(task="t") for _ in range(5)]
    lengths = {len(e.to_body().encode()) for e in envelopes}
    assert len(lengths) == 1

    queue(fake, max_batch_bytes=2 * lengths.pop()).send(envelopes)

    assert [[e["Id"] for e in call] for call in fake.calls] == [["0", "1"], ["2", "3"], ["4"]]


def test_messages_reach_sqs_with_the_body_and_typed_attributes(aws: Any) -> None:
    sqs = aws("sqs")
    url = sqs.create_queue(QueueName="tasks")["QueueUrl"]
    envelopes = [Envelope(task="send_email", args=["a@example.com"]), Envelope(task="t")]

    SqsTaskQueue(url, lambda: sqs).send(envelopes)

    messages = sqs.receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    received = {m["Body"]: m["MessageAttributes"] for m in messages}
    assert received == {
        e.to_body(): {
            "task": {"DataType": "String", "StringValue": e.task},
            "task_id": {"DataType": "String", "StringValue": e.id},
        }
        for e in envelopes
    }


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
    # Calls 0-2: the first batch and its two retries; 3-5: the second batch's.
    fake = FakeSqs(
        refuse={i: {"1": False} for i in range(3)} | {i: {"11": False} for i in (3, 4, 5)}
    )
    envelopes = [Envelope(task="t") for _ in range(12)]

    with pytest.raises(EnqueueError) as caught:
        queue(fake, entry_attempts=3).send(envelopes)

    assert caught.value.task_ids == [envelopes[1].id, envelopes[11].id]
    assert str(caught.value) == "2 of 12 tasks not queued: InternalError"
    assert len(fake.calls) == 6


@pytest.mark.parametrize(
    ("code", "message", "reason"),
    [
        ("InternalError", None, "InternalError"),
        ("InvalidParameterValue", "Value too long", "InvalidParameterValue: Value too long"),
    ],
)
def test_the_error_says_why_sqs_refused(code: str, message: str | None, reason: str) -> None:
    fake = FakeSqs(refuse={0: {"0": True}}, code=code, message=message)

    with pytest.raises(EnqueueError) as caught:
        queue(fake).send([Envelope(task="t")])

    assert str(caught.value) == f"1 of 1 tasks not queued: {reason}"


def down() -> ClientError:
    error = {"Error": {"Code": "ServiceUnavailable", "Message": "down"}}
    return ClientError(error, "SendMessageBatch")  # type: ignore[arg-type]


def test_failed_entries_are_sent_again_after_a_doubling_backoff() -> None:
    sleeps: list[float] = []
    fake = FakeSqs(refuse={0: {"1": False}, 1: {"1": False}})
    client: Any = fake

    SqsTaskQueue("https://sqs/q", lambda: client, sleep=sleeps.append).send(
        [Envelope(task="t"), Envelope(task="t")]
    )

    assert [[e["Id"] for e in call] for call in fake.calls] == [["0", "1"], ["1"], ["1"]]
    assert sleeps == [0.05, 0.1]


@pytest.mark.parametrize(
    ("error", "refused"), [(down(), 11), (BotoCoreError(), 1)], ids=["refused", "no answer"]
)
def test_a_call_that_raises_is_not_sent_again_and_the_batches_after_it_never_go(
    error: Exception, refused: int
) -> None:
    # botocore has already retried it (offload.clients). SQS answering with an error took
    # nothing; without an answer, whether it took the batch is unknown: not reported refused.
    # The second batch was never sent.
    fake = BrokenSqs(error)
    envelopes = [Envelope(task="t") for _ in range(11)]

    with pytest.raises(EnqueueError) as caught:
        queue(fake).send(envelopes)

    assert len(fake.calls) == 1
    assert caught.value.task_ids == [e.id for e in envelopes[-refused:]]
    assert f"tasks not queued: SendMessageBatch failed: {type(error).__name__}" in str(caught.value)


@pytest.mark.parametrize("attempts", [0, -1])
def test_a_queue_that_would_never_send_is_refused_at_construction(attempts: int) -> None:
    with pytest.raises(ValueError, match="entry_attempts must be at least 1"):
        queue(FakeSqs(), entry_attempts=attempts)


def test_a_queue_with_one_attempt_sends_once() -> None:
    fake = FakeSqs(refuse={0: {"0": False}})

    with pytest.raises(EnqueueError):
        queue(fake, entry_attempts=1).send([Envelope(task="t")])

    assert len(fake.calls) == 1


def test_sender_faults_are_not_retried() -> None:
    fake = FakeSqs(refuse={0: {"0": True}})

    with pytest.raises(EnqueueError):
        queue(fake).send([Envelope(task="t"), Envelope(task="t")])

    assert len(fake.calls) == 1


def test_no_queue_configured_is_an_enqueue_error() -> None:
    envelopes = [Envelope(task="t"), Envelope(task="t")]
    client: Any = FakeSqs()

    with pytest.raises(EnqueueError, match=r"^no task queue is configured$") as caught:
        SqsTaskQueue("", lambda: client).send(envelopes)

    assert caught.value.task_ids == [e.id for e in envelopes]


class MemoryPayloads:
    """A PayloadStore keeping arguments in memory; `fails` makes `store` raise it."""

    def __init__(self, fails: Exception | None = None) -> None:
        self.stored: dict[str, Envelope] = {}
        self.fails = fails

    def store(self, envelope: Envelope) -> Envelope:
        if self.fails:
            raise self.fails
        self.stored[envelope.id] = envelope
        ref = PayloadRef(bucket="uploads", key=f"payloads/{envelope.id}.json")
        return envelope.model_copy(update={"args": [], "kwargs": {}, "payload": ref})

    def load(self, envelope: Envelope) -> Envelope:
        return self.stored[envelope.id]


@pytest.mark.parametrize(("room", "inline"), [(0, True), (-1, False)])
def test_a_body_over_the_message_limit_travels_as_a_pointer(room: int, inline: bool) -> None:
    fake, payloads = FakeSqs(), MemoryPayloads()
    envelope = Envelope(task="t", args=["x" * 1000])
    limit = len(envelope.to_body().encode()) + room

    queue(fake, max_message_bytes=limit, payloads=payloads).send([envelope])

    sent = Envelope.from_body(fake.calls[0][0]["MessageBody"])
    assert (sent == envelope) is inline
    assert (sent.payload is None) is inline
    assert payloads.stored == ({} if inline else {envelope.id: envelope})


def test_a_body_over_the_message_limit_without_a_payload_store_is_refused() -> None:
    fake = FakeSqs()
    envelope = Envelope(task="t", args=["x" * 1000])

    with pytest.raises(EnqueueError) as caught:
        queue(fake, max_message_bytes=1000).send([envelope])

    assert caught.value.task_ids == [envelope.id]
    assert str(caught.value) == ("task t is over 1000 bytes and no payload store is configured")
    assert fake.calls == []


def test_a_payload_store_failing_refuses_the_task() -> None:
    fake = FakeSqs()
    envelope = Envelope(task="t", args=["x" * 1000])
    payloads = MemoryPayloads(fails=RuntimeError("bucket unreachable"))

    with pytest.raises(EnqueueError) as caught:
        queue(fake, max_message_bytes=1000, payloads=payloads).send([envelope])

    assert caught.value.task_ids == [envelope.id]
    assert str(caught.value) == "could not store the arguments of t: bucket unreachable"
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert fake.calls == []


def test_a_task_due_later_carries_its_delay_per_message() -> None:
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    fake = FakeSqs()
    later = Envelope(task="t", due_at=now + timedelta(seconds=90.5))
    queue(fake, clock=lambda: now).send([Envelope(task="t"), later])

    [entries] = fake.calls
    assert "DelaySeconds" not in entries[0]
    assert entries[1]["DelaySeconds"] == 91
