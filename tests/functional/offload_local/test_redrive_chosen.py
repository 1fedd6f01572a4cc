"""Redriving or discarding dead letters (the console's buttons, `redrive --message`): only the
chosen ones move, the others stay visible, the trace header goes along; and what SQS refuses to
take back stays in the dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from offload_local.queues.listing import QueueInfo, list_queues
from offload_local.queues.redrive import RedriveRefusedError, discard, redrive
from tests.moto_aws import IN_PROCESS, use_fake_credentials
from tests.refusals import sqs_refusing

TRACE = "Root=1-67891233-abcdef012345678912345678;Parent=463ac35c9f6413ad;Sampled=1"


class Account:
    def __init__(self, sqs: Any) -> None:
        self.sqs = sqs

    def client(self, service: str) -> Any:
        assert service == "sqs"
        return self.sqs


@pytest.fixture
def queues(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Account, QueueInfo, QueueInfo]]:
    use_fake_credentials(monkeypatch)
    with IN_PROCESS.running() as deployment:
        account = Account(deployment.aws.client("sqs"))
        queues = deployment.queues()
        found = {q.url: q for q in list_queues(account)}
        yield account, found[queues["DeadLetterQueue"]], found[queues["TaskQueue"]]


def send(account: Account, queue: QueueInfo, *bodies: str, **options: Any) -> list[str]:
    """Each body sent to the queue (with `options`, SendMessage's); their message ids."""
    return [
        account.sqs.send_message(QueueUrl=queue.url, MessageBody=body, **options)["MessageId"]
        for body in bodies
    ]


def bodies(account: Account, queue: QueueInfo) -> list[str]:
    messages = account.sqs.receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    ).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_only_the_chosen_messages_move_and_the_others_stay_visible(
    queues: tuple[Account, QueueInfo, QueueInfo],
) -> None:
    account, dlq, source = queues
    trace = {"AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}}
    ids = send(account, dlq, "a", "b", "c", MessageSystemAttributes=trace)

    sent: list[dict[str, Any]] = []
    account.sqs.meta.events.register(
        "provide-client-params.sqs.SendMessageBatch", lambda params, **_: sent.append(params)
    )

    moved = redrive(account, dlq, source, [ids[1]])

    assert moved == 1
    assert bodies(account, source) == ["b"]
    assert bodies(account, dlq) == ["a", "c"]
    # moto's SendMessageBatch drops system attributes: what was asked of SQS is checked
    [entry] = sent[0]["Entries"]
    assert entry["MessageSystemAttributes"]["AWSTraceHeader"]["StringValue"] == TRACE


def test_discarding_deletes_only_the_chosen(queues: tuple[Account, QueueInfo, QueueInfo]) -> None:
    account, dlq, _ = queues
    ids = send(account, dlq, "a", "b")

    assert discard(account, dlq, [ids[0], "no-such-message"]) == 1
    assert bodies(account, dlq) == ["b"]


def test_a_redrive_sqs_refuses_leaves_every_message_in_the_dead_letter_queue(
    queues: tuple[Account, QueueInfo, QueueInfo],
) -> None:
    account, dlq, source = queues
    send(account, dlq, "a", "b", "c")

    # SQS refuses the copies (unavailable, say)
    with sqs_refusing(account.sqs), pytest.raises(RedriveRefusedError, match="nothing was moved"):
        redrive(account, dlq, source)

    # Every message is still where it was, visible at once; none reached the source queue
    assert bodies(account, dlq) == ["a", "b", "c"]
    assert bodies(account, source) == []


def test_the_messages_sqs_refuses_of_a_batch_stay_and_the_others_move(
    queues: tuple[Account, QueueInfo, QueueInfo],
) -> None:
    account, dlq, source = queues
    send(account, dlq, "a", "b", "c")

    # SQS takes the batch's other entries and lists the second under Failed
    with sqs_refusing(account.sqs, entries={"1"}), pytest.raises(RedriveRefusedError):
        redrive(account, dlq, source)

    stayed, moved = bodies(account, dlq), bodies(account, source)
    assert (len(stayed), len(moved)) == (1, 2)
    assert sorted(stayed + moved) == ["a", "b", "c"]
