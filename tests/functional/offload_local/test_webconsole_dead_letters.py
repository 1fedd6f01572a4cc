"""The console's dead letters on the local cloud's stack (moto): putting them back when SQS
refuses to take them is explained, and loses none of them."""

from __future__ import annotations

import pytest

from offload import Envelope
from offload_local.provision.deployment import Deployment
from offload_local.webconsole import dead_letters
from offload_local.webconsole.stack import ConsoleError, Target
from tests.refusals import sqs_refusing


def held(console: Target, queue: str) -> list[str]:
    """The ids of the messages the console shows in a dead-letter queue."""
    [shown] = [q for q in dead_letters.dead_letters(console) if q["name"] == queue]
    return sorted(m["message_id"] for m in shown["messages"])


@pytest.mark.parametrize("chosen", [False, True], ids=["all", "chosen"])
def test_a_redrive_sqs_refuses_is_a_409_and_every_message_stays(
    local_console: Target, in_process_stack: Deployment, chosen: bool
) -> None:
    # Given two dead letters of the task queue
    sqs = local_console.client("sqs")
    dlq_url = in_process_stack.queues()["DeadLetterQueue"]
    ids = sorted(
        sqs.send_message(QueueUrl=dlq_url, MessageBody=Envelope(task="write_log").to_body())[
            "MessageId"
        ]
        for _ in range(2)
    )
    queue = dlq_url.rsplit("/", 1)[-1]

    # When the operator puts them back (every one, or both by id) while SQS refuses the copies
    with sqs_refusing(sqs), pytest.raises(ConsoleError, match="SQS refused") as refused:
        dead_letters.redrive_messages(local_console, queue, ids if chosen else None)

    # Then the page says why, and both are still there to put back once the cause is fixed
    assert refused.value.status == 409
    assert held(local_console, queue) == ids
    assert dead_letters.redrive_messages(local_console, queue, None) == {
        "moved": 2,
        "to": in_process_stack.queues()["TaskQueue"].rsplit("/", 1)[-1],
    }
