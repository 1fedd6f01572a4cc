"""E9106: a worker may delay its task queue's messages and send to its dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterator

from offload.rules.grants import Grant, GrantRule
from offload.rules.wiring import DEAD_LETTER_QUEUE_URL, Wiring

CHANGE_VISIBILITY = "sqs:ChangeMessageVisibility"
SEND = "sqs:SendMessage"


class WorkerCanRetryAndDeadLetter(GrantRule):
    id = "E9106"
    shortdesc = "A worker may change its queue's message visibility and send to its DLQ"
    description = (
        "An offload worker delays a failed task's next delivery (its backoff) with "
        "sqs:ChangeMessageVisibility on its task queue, and sends a task that can never "
        "succeed to its dead-letter queue (OFFLOAD_DEAD_LETTER_QUEUE_URL, else the queue's "
        "redrive target) with sqs:SendMessage, its reason attached. Without the first, retries "
        "come back only after the whole visibility timeout; without the second, such a task is "
        "retried until SQS moves it, reason lost. Only what the template shows is judged."
    )

    def grants(self, wiring: Wiring) -> Iterator[Grant]:
        for worker in wiring.workers():
            function, queue = worker.function, worker.queue
            if queue is None:
                continue
            yield Grant(
                function,
                queue.logical_id,
                (CHANGE_VISIBILITY,),
                place=f"on {queue.logical_id}",
                consequence="a failed task would come back after the queue's whole "
                "VisibilityTimeout, not its backoff",
                sam_policy="SQSPollerPolicy",
            )
            dead = wiring.queue(function.variables.get(DEAD_LETTER_QUEUE_URL)) or wiring.queue(
                queue.dead_letter_queue
            )
            if dead is not None:
                yield Grant(
                    function,
                    dead.logical_id,
                    (SEND,),
                    place=f"to {dead.logical_id}, its dead-letter queue",
                    consequence="a task that can never succeed would be retried until SQS "
                    "moves it, without its reason",
                    sam_policy="SQSSendMessagePolicy",
                )
