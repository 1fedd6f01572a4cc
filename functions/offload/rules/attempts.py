"""E9101: a worker's attempts equal its task queue's maxReceiveCount."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.rule import WiringRule
from offload.rules.values import deployments
from offload.rules.wiring import MAX_ATTEMPTS, Wiring


class AttemptsMatchReceiveCount(WiringRule):
    id = "E9101"
    shortdesc = "A worker's OFFLOAD_MAX_ATTEMPTS equals its task queue's maxReceiveCount"
    description = (
        "An offload worker dead-letters a task itself, with its reason, on its last attempt "
        "(OFFLOAD_MAX_ATTEMPTS). With more attempts than its task queue's maxReceiveCount, SQS "
        "moves the message first, without a reason, and the task's status stays 'retrying'; "
        "with fewer, the worker gives up before SQS would. Both are compared for every "
        "parameter value a deploy may choose."
    )

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        for worker in wiring.workers():
            queue, function = worker.queue, worker.function
            policy = queue.redrive_policy if queue is not None else None
            if queue is None or policy is None or "maxReceiveCount" not in policy:
                continue
            where = function.variable_path(MAX_ATTEMPTS)
            fix = (
                f"Set {MAX_ATTEMPTS} to {queue.logical_id}'s maxReceiveCount (the same "
                f"parameter, or the same number)"
            )
            if MAX_ATTEMPTS not in function.variables:
                yield RuleMatch(
                    where,
                    f"{function.logical_id} does not set {MAX_ATTEMPTS}, so its attempts need not "
                    f"match {queue.logical_id}'s maxReceiveCount. {fix}",
                )
                continue
            differing: list[tuple[int, int, str]] = []
            attempts_value = function.variables[MAX_ATTEMPTS]
            for deployed in deployments(cfn, attempts_value, policy["maxReceiveCount"]):
                numbers = deployed.numbers()
                if numbers is not None and numbers[0] != numbers[1]:
                    differing.append((numbers[0], numbers[1], deployed.chosen()))
            if not differing:
                continue
            attempts, receives, chosen = differing[0]
            consequence = (
                "SQS moves a failing task to the dead-letter queue first, without its reason, "
                "and its status stays 'retrying'"
                if attempts > receives
                else "the worker gives up on a task before SQS's deliveries are used up"
            )
            also = "".join(f"; {a} against {r}{c}" for a, r, c in differing[1:])
            yield RuleMatch(
                where,
                f"{function.logical_id} gives up after {MAX_ATTEMPTS}={attempts} attempts but "
                f"{queue.logical_id} dead-letters after maxReceiveCount={receives} receives"
                f"{chosen}{also}: {consequence}. {fix}",
            )
