"""E9106: a worker may delay its task queue's messages and send to its dead-letter queue."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.arns import Arns
from offload.rules.permissions import permissions
from offload.rules.rule import WiringRule
from offload.rules.wiring import DEAD_LETTER_QUEUE_URL, Wiring

CHANGE_VISIBILITY = "sqs:ChangeMessageVisibility"
SEND = "sqs:SendMessage"


class WorkerCanRetryAndDeadLetter(WiringRule):
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

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        arns = Arns(wiring)
        for worker in wiring.workers():
            function, queue = worker.function, worker.queue
            granted = permissions(wiring, function) if queue is not None else None
            if queue is None or granted is None:
                continue
            queue_arn = arns.of(queue.logical_id)
            if queue_arn is not None and not granted.allow(CHANGE_VISIBILITY, queue_arn):
                yield RuleMatch(
                    function.role_path,
                    f"{function.logical_id}'s role {granted.role} may not {CHANGE_VISIBILITY} "
                    f"on {queue.logical_id}: a failed task would come back after the queue's "
                    f"whole VisibilityTimeout, not its backoff. Grant {CHANGE_VISIBILITY} on "
                    f"{queue.logical_id}'s ARN (SAM: SQSPollerPolicy with QueueName: "
                    f"!GetAtt {queue.logical_id}.QueueName)",
                )
            dead = wiring.queue(function.variables.get(DEAD_LETTER_QUEUE_URL)) or wiring.queue(
                queue.dead_letter_queue
            )
            dead_arn = arns.of(dead.logical_id) if dead is not None else None
            if dead is not None and dead_arn is not None and not granted.allow(SEND, dead_arn):
                yield RuleMatch(
                    function.role_path,
                    f"{function.logical_id}'s role {granted.role} may not {SEND} to "
                    f"{dead.logical_id}, its dead-letter queue: a task that can never succeed "
                    f"would be retried until SQS moves it, without its reason. Grant {SEND} on "
                    f"{dead.logical_id}'s ARN (SAM: SQSSendMessagePolicy with QueueName: "
                    f"!GetAtt {dead.logical_id}.QueueName)",
                )
