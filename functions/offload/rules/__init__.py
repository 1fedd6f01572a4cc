"""cfn-lint rules for a template that deploys offload: a wiring that would lose or repeat
tasks is an error.

    cfn-lint template.yaml --append-rules offload.rules

cfn-lint instantiates every rule class this module holds (so it holds nothing else of the kind):

- E9101 a worker's OFFLOAD_MAX_ATTEMPTS equals its task queue's maxReceiveCount;
- E9102 a task queue's VisibilityTimeout is at least 6x its worker's Timeout;
- E9103 a worker's SQS event source reports batch item failures;
- E9104 a task queue has a dead-letter queue that keeps messages longer than it does;
- E9105 a producer may send to its task queues and write its tasks' rows;
- E9106 a worker may change its queue's message visibility and send to its dead-letter queue.

offload.rules.wiring says how the rules recognise workers, task queues and producers;
offload.rules.check.check_template runs these rules alone on a template's text.
"""

from offload.rules.attempts import AttemptsMatchReceiveCount
from offload.rules.batch_failures import ReportsBatchItemFailures
from offload.rules.dead_letter_queue import TaskQueueHasDeadLetterQueue
from offload.rules.producer_permissions import ProducerCanEnqueue
from offload.rules.visibility import VisibilityCoversTimeout
from offload.rules.worker_permissions import WorkerCanRetryAndDeadLetter

__all__ = [
    "AttemptsMatchReceiveCount",
    "ProducerCanEnqueue",
    "ReportsBatchItemFailures",
    "TaskQueueHasDeadLetterQueue",
    "VisibilityCoversTimeout",
    "WorkerCanRetryAndDeadLetter",
]
