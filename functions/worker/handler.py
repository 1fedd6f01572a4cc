"""Lambda entry point of the worker function: SQS batches of tasks. Wiring only."""

from __future__ import annotations

import logging
import os
import warnings
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from aws_lambda_powertools.metrics import Metrics

from app.tracing import capture_handler, tracer
from app.wiring import Wiring, wiring

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

    from offload.consumer import TaskConsumer

logger = Logger()
# A batch of S3 test events adds no task metric; that is normal, not worth a warning in every
# such invocation's log.
warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
# The template sets POWERTOOLS_METRICS_NAMESPACE; the fallback keeps metrics valid elsewhere.
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Offload"))
# Only loggers that exist now are configured: the application's tasks are imported on the
# first invocation, so their parent logger is made here (else their lines would be lost).
logging.getLogger("app")
copy_config_to_registered_loggers(source_logger=logger, include={"offload", "app"})


@cache
def _consumer(parts: Wiring) -> TaskConsumer:
    return parts.consumer(logger, metrics, tracer())


def consumer() -> TaskConsumer:
    """Built on the first invocation (settings read and checked, nothing connected at import),
    then kept for the life of the execution environment, as the rest of the wiring is."""
    return _consumer(wiring())


@logger.inject_lambda_context(clear_state=True)
@capture_handler
@metrics.log_metrics
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer().handle(event, context)
