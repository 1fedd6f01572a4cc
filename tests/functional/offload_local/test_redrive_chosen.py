"""Redriving or discarding chosen dead letters (the console's buttons, `redrive --message`):
only those move, the others stay visible, the trace header goes along."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from offload_local.queues.listing import QueueInfo, list_queues
from offload_local.queues.redrive import discard, redrive
from tests.moto_aws import IN_PROCESS, use_fake_credentials

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


def bodies(account: Account, queue: QueueInfo) -> list[str]:
    messages = account.sqs.receive_message(
        QueueUrl=queue.url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
    ).get("Messages", [])
    return sorted(m["Body"] for m in messages)


def test_only_the_chosen_messages_move_and_the_others_stay_visible(
    queues: tuple[Account, QueueInfo, QueueInfo],
) -> None:
    account, dlq, source = queues
    ids = [
        account.sqs.send_message(
            QueueUrl=dlq.url,
            MessageBody=body,
            MessageSystemAttributes={
                "AWSTraceHeader": {"DataType": "String", "StringValue": TRACE}
            },
        )["MessageId"]
        for body in ("a", "b", "c")
    ]

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
    ids = [
        account.sqs.send_message(QueueUrl=dlq.url, MessageBody=body)["MessageId"]
        for body in ("a", "b")
    ]

    assert discard(account, dlq, [ids[0], "no-such-message"]) == 1
    assert bodies(account, dlq) == ["b"]
