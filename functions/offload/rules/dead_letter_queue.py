"""E9104: a task queue has a dead-letter queue that keeps messages longer than it does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.rule import WiringRule
from offload.rules.values import deployments
from offload.rules.wiring import Queue, Wiring

#: SQS's longest MessageRetentionPeriod (14 days).
SQS_MAX_RETENTION = 1_209_600


class TaskQueueHasDeadLetterQueue(WiringRule):
    id = "E9104"
    shortdesc = "A task queue has a dead-letter queue that keeps messages longer than it does"
    description = (
        "A task queue without a RedrivePolicy retries a failing task until its retention "
        "period drops it, unseen. A dead-letter queue keeps the original enqueue time of the "
        "messages SQS moves there, so one that keeps messages no longer than its source "
        "queue (SQS's default is 4 days) drops a task soon after it arrives: AWS recommends a "
        "longer retention for the dead-letter queue. Checked for every parameter value a "
        "deploy may choose."
    )

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        checked: set[str] = set()
        for worker in wiring.workers():
            queue = worker.queue
            if queue is None or queue.logical_id in checked:
                continue
            checked.add(queue.logical_id)
            if queue.redrive_policy is None:
                yield RuleMatch(
                    queue.path(),
                    f"{queue.logical_id}, {worker.function.logical_id}'s task queue, has no "
                    f"RedrivePolicy: a task that keeps failing would be retried until the "
                    f"queue's MessageRetentionPeriod drops it. Add a RedrivePolicy with a "
                    f"deadLetterTargetArn and a maxReceiveCount",
                )
                continue
            dead = wiring.queue(queue.dead_letter_queue)
            if dead is not None:
                yield from self._retention(cfn, queue, dead)

    def _retention(self, cfn: Any, queue: Queue, dead: Queue) -> Iterator[RuleMatch]:
        short = []
        for deployed in deployments(cfn, queue.retention, dead.retention):
            numbers = deployed.numbers()
            if numbers is not None and numbers[1] <= numbers[0]:
                source, kept = numbers
                short.append(f"{kept} s against {source} s{deployed.chosen()}")
        if short:
            yield RuleMatch(
                dead.property_path("MessageRetentionPeriod"),
                f"{dead.logical_id} keeps messages no longer than its source queue "
                f"{queue.logical_id} (MessageRetentionPeriod {'; '.join(short)}): a task moved "
                f"there keeps its first enqueue time and would expire soon after. Give "
                f"{dead.logical_id} a longer MessageRetentionPeriod (at most "
                f"{SQS_MAX_RETENTION}), or {queue.logical_id} a shorter one",
            )
