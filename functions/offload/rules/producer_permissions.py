"""E9105: a producer may send to the task queues it names and write its tasks' rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cfnlint.rules import RuleMatch

from offload.rules.arns import Arns
from offload.rules.permissions import permissions
from offload.rules.rule import WiringRule
from offload.rules.wiring import TABLE_NAME, Wiring

#: IAM has no SendMessageBatch action: sqs:SendMessage covers the producer's batched sends.
SEND = "sqs:SendMessage"
#: What the producer calls on its tasks' table (offload/records.py): BatchWriteItem writes a
#: request's rows before their tasks are sent, and deletes the rows of tasks SQS refused;
#: UpdateItem cancels the tasks SQS took for a request answered 503, and unschedules.
TABLE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:UpdateItem")


class ProducerCanEnqueue(WiringRule):
    id = "E9105"
    shortdesc = "A producer may send to its task queues and write its tasks' rows"
    description = (
        "A function that names a task queue (OFFLOAD_QUEUE_URL, OFFLOAD_<NAME>_QUEUE_URL) "
        "sends tasks there before it answers, and records them in the table OFFLOAD_TABLE_NAME "
        "names. Its role needs sqs:SendMessage on each such queue and dynamodb:BatchWriteItem "
        "and dynamodb:UpdateItem on the table, or every request that adds a task fails. Only "
        "what the template shows is judged: a role from outside it, or a managed policy this "
        "rule does not know, is not reported."
    )

    def check(self, cfn: Any, wiring: Wiring) -> Iterator[RuleMatch]:
        arns = Arns(wiring)
        for producer in wiring.producers():
            function = producer.function
            granted = permissions(wiring, function)
            if granted is None:
                continue
            for variable, queue in producer.queues.items():
                arn = arns.of(queue.logical_id)
                if arn is not None and not granted.allow(SEND, arn):
                    yield RuleMatch(
                        function.variable_path(variable),
                        f"{function.logical_id} sends tasks to {queue.logical_id} ({variable}) "
                        f"but its role {granted.role} may not {SEND} there: every request "
                        f"adding a task would fail. Grant {SEND} on {queue.logical_id}'s ARN "
                        f"(SAM: SQSSendMessagePolicy with QueueName: "
                        f"!GetAtt {queue.logical_id}.QueueName)",
                    )
            table_arn = arns.of(producer.table) if producer.table is not None else None
            if table_arn is None:
                continue
            missing = [action for action in TABLE_ACTIONS if not granted.allow(action, table_arn)]
            if missing:
                yield RuleMatch(
                    function.variable_path(TABLE_NAME),
                    f"{function.logical_id} records its tasks in {producer.table} "
                    f"({TABLE_NAME}) but its role {granted.role} may not {', '.join(missing)} "
                    f"on it: requests adding tasks would fail. Grant "
                    f"{', '.join(TABLE_ACTIONS)} on {producer.table}'s ARN",
                )
