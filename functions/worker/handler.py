"""Lambda entry point of the worker function: SQS batches of tasks. Wiring only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers

import app.tasks  # noqa: F401  (registers every task the worker may be asked to run)
from app import aws
from app.settings import get_settings
from offload import registry
from offload.consumer import TaskConsumer
from offload.dead_letter import SqsDeadLetters

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"offload", "app"})

consumer = TaskConsumer(
    SqsDeadLetters(queue_url=lambda: get_settings().DEAD_LETTER_QUEUE_URL, client=aws.sqs),
    task_registry=registry,
    log=logger,
)


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return consumer.handle(event, context)
