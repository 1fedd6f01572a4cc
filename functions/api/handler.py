"""Lambda entry point of the API function: FastAPI through Mangum. Wiring only."""

from __future__ import annotations

import asyncio
import atexit
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import Logger, correlation_paths
from aws_lambda_powertools.logging.utils import copy_config_to_registered_loggers
from mangum import Mangum

from api.local_authorizer import authorize
from api.main import app
from offload.tracing import capture_handler

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
copy_config_to_registered_loggers(source_logger=logger, include={"offload", "app", "api"})

# Mangum runs each request on the thread's current event loop. One loop of our own, made
# current on every invocation, keeps that true whatever else in the process did with asyncio.
_loop = asyncio.new_event_loop()
asyncio.set_event_loop(_loop)
atexit.register(_loop.close)
# Lifespan off: Mangum would run startup and shutdown on every invocation.
_asgi = Mangum(app, lifespan="off")


@logger.inject_lambda_context(
    correlation_id_path=correlation_paths.API_GATEWAY_HTTP, clear_state=True
)
@capture_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    asyncio.set_event_loop(_loop)
    # Under `sam local` only, which runs no JWT authorizer: its decision, asked for.
    refusal = authorize(event, context.function_name)
    if refusal is not None:
        return refusal
    # Both LambdaContext types describe the same runtime object; their stubs disagree.
    response: dict[str, Any] = _asgi(event, context)  # type: ignore[arg-type]
    return response
