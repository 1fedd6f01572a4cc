"""E9105: a producer may send to the task queues it names and write its tasks' rows."""

from __future__ import annotations

from collections.abc import Iterator

from offload.rules.grants import Grant, GrantRule
from offload.rules.wiring import TABLE_NAME, Wiring

#: IAM has no SendMessageBatch action: sqs:SendMessage covers the producer's batched sends.
SEND = "sqs:SendMessage"
#: What the producer calls on its tasks' table (offload/records.py): BatchWriteItem writes a
#: request's rows before their tasks are sent, and deletes the rows of tasks SQS refused;
#: UpdateItem cancels the tasks SQS took for a request answered 503, and unschedules.
TABLE_ACTIONS = ("dynamodb:BatchWriteItem", "dynamodb:UpdateItem")


class ProducerCanEnqueue(GrantRule):
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

    def grants(self, wiring: Wiring) -> Iterator[Grant]:
        for producer in wiring.producers():
            function = producer.function
            for variable, queue in producer.queues.items():
                yield Grant(
                    function,
                    queue.logical_id,
                    (SEND,),
                    where=function.variable_path(variable),
                    subject=f"{function.logical_id} sends tasks to {queue.logical_id} "
                    f"({variable}) but its role",
                    place="there",
                    consequence="every request adding a task would fail",
                    sam_policy="SQSSendMessagePolicy",
                )
            if producer.table is not None:
                yield Grant(
                    function,
                    producer.table,
                    TABLE_ACTIONS,
                    where=function.variable_path(TABLE_NAME),
                    subject=f"{function.logical_id} records its tasks in {producer.table} "
                    f"({TABLE_NAME}) but its role",
                    place="on it",
                    consequence="requests adding tasks would fail",
                )
