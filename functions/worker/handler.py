"""Lambda entry point of the worker function: SQS batches of tasks. Wiring only."""

from __future__ import annotations

import os
import warnings
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import Metrics

import app.tasks  # noqa: F401  (registers every task the worker may be asked to run)
from app import task_runtime
from app.tasks.files import S3ObjectCreatedRoute
from offload import registry
from offload.consumer import TaskConsumer
from offload.metrics import PowertoolsTaskMetrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
# A batch of S3 test events or uploads adds no task metric; that is normal, not worth a warning
# in every such invocation's log.
warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
# The template sets POWERTOOLS_METRICS_NAMESPACE; the fallback keeps metrics valid elsewhere.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Offload"))
copy_config_to_registered_loggers(source_logger=logger, include={"offload", "app"})


@cache
def consumer() -> TaskConsumer:
    """Built on the first invocation (settings read, nothing connected at import), then kept
    for the life of the execution environment."""
    return TaskConsumer(
        task_runtime.dead_letters(),
        task_registry=registry,
        # Uploads arrive as the bucket's ObjectCreated notifications, not as task envelopes.
        routes=[S3ObjectCreatedRoute()],
        log=logger,
        status=task_runtime.status_store(),
        idempotency=task_runtime.idempotency(),
        visibility=task_runtime.visibility(),
        policy=task_runtime.run_policy(),
        payloads=task_runtime.payload_store(),
        metrics=PowertoolsTaskMetrics(metrics),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer().handle(event, context)
