"""E9102: a task queue's visibility timeout is at least 6x its worker's timeout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.rule import WiringRule
from offload.rules.values import deployments
from offload.rules.wiring import Wiring

#: Lambda's guidance for SQS event sources: a visibility timeout of at least 6x the function's.
TIMEOUT_FACTOR = 6


class VisibilityCoversTimeout(WiringRule):
    id = "E9102"
    shortdesc = "A task queue's VisibilityTimeout is at least 6x its worker's Timeout"
    description = (
        "While a worker may still run a batch, SQS must not hand its messages to another "
        "invocation: each early redelivery runs the task again and counts towards "
        "maxReceiveCount. Lambda's guidance is a visibility timeout of at least 6 times the "
        "function's timeout (SQS's default is 30 s, Lambda's 3 s). Checked for every parameter "
        "value a deploy may choose."
    )

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        for worker in wiring.workers():
            queue, function = worker.queue, worker.function
            if queue is None:
                continue
            short = []
            for deployed in deployments(cfn, queue.visibility_timeout, function.timeout):
                numbers = deployed.numbers()
                if numbers is not None and numbers[0] < TIMEOUT_FACTOR * numbers[1]:
                    visibility, timeout = numbers
                    short.append(
                        f"{visibility} s against a Timeout of {timeout} s{deployed.chosen()} "
                        f"(needs {TIMEOUT_FACTOR * timeout})"
                    )
            if short:
                yield RuleMatch(
                    queue.property_path("VisibilityTimeout"),
                    f"{queue.logical_id}'s VisibilityTimeout is under {TIMEOUT_FACTOR}x "
                    f"{function.logical_id}'s Timeout: {'; '.join(short)}. SQS would deliver a "
                    f"task again while the worker may still run it. Raise "
                    f"{queue.logical_id}'s VisibilityTimeout to at least {TIMEOUT_FACTOR}x the "
                    f"Timeout",
                )
