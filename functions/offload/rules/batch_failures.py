"""E9103: a worker's event source reports batch item failures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.rule import WiringRule
from offload.rules.values import deployments
from offload.rules.wiring import Wiring

REPORT_BATCH_ITEM_FAILURES = "ReportBatchItemFailures"


class ReportsBatchItemFailures(WiringRule):
    id = "E9103"
    shortdesc = "A worker's SQS event source has FunctionResponseTypes: [ReportBatchItemFailures]"
    description = (
        "An offload worker lists the tasks that failed in its response (batchItemFailures). "
        "Without FunctionResponseTypes: [ReportBatchItemFailures] on its event source, Lambda "
        "ignores that list and deletes the whole batch, failed tasks included: they are lost, "
        "never retried nor dead-lettered."
    )

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        for worker in wiring.workers():
            source = worker.source
            types = source.properties.get("FunctionResponseTypes")
            reported = types is not None and all(
                isinstance(deployed.values[0], list)
                and REPORT_BATCH_ITEM_FAILURES in deployed.values[0]
                for deployed in deployments(cfn, types)
            )
            if reported:
                continue
            queue = worker.queue.logical_id if worker.queue is not None else "its queue"
            has = "" if types is None else f" (it has {types!r})"
            yield RuleMatch(
                source.property_path("FunctionResponseTypes"),
                f"{source.name} feeds {worker.function.logical_id} from {queue} without "
                f"FunctionResponseTypes: [{REPORT_BATCH_ITEM_FAILURES}]{has}: Lambda would "
                f"ignore the worker's batchItemFailures and delete a failed task with its batch. "
                f"Add FunctionResponseTypes: [{REPORT_BATCH_ITEM_FAILURES}]",
            )
