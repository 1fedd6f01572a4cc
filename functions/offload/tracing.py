"""X-Ray tracing (Powertools Tracer; the `tracing` extra), built only where something receives
the traces.

On Lambda with `Tracing: Active` the tracer records each invocation, patches botocore so every
AWS call is a subsegment, and the task queue passes the trace on to the worker (offload.queue).
Elsewhere there is no X-Ray daemon: the local cloud sets AWS_SAM_LOCAL as `sam local` does,
tests run outside Lambda, and POWERTOOLS_TRACE_DISABLED turns it off anywhere. There Powertools
would disable the tracer anyway, but would still import the X-Ray SDK, which imports botocore
and, outside Lambda, creates two X-Ray clients for its sampler (aws-xray-sdk-python#311): seconds
of start-up on every local function process and test run, for traces nobody receives. So where
tracing is off the tracer is not built at all and the handlers run undecorated.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import TYPE_CHECKING, TypeVar, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer

F = TypeVar("F", bound=Callable[..., object])

#: What the tracer instruments: the AWS SDK only (the functions call nothing else over HTTP).
PATCHED = ("botocore",)


def tracing_enabled(environ: Mapping[str, str] = os.environ) -> bool:
    """Powertools' own rule: on in a Lambda execution environment, unless emulated or disabled."""
    if environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes", "on"):
        return False
    emulated = environ.get("AWS_SAM_LOCAL") or environ.get("AWS_CHALICE_CLI_MODE")
    return bool(environ.get("LAMBDA_TASK_ROOT")) and not emulated


@cache
def tracer() -> Tracer | None:
    """The function's tracer (service: POWERTOOLS_SERVICE_NAME), or None where tracing is off."""
    if not tracing_enabled():
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(patch_modules=PATCHED)


def capture_handler(handler: F) -> F:
    """`@tracer.capture_lambda_handler` where tracing is on: the handler's subsegment, with a
    ColdStart annotation. Responses are not captured: they may hold users' data."""
    active = tracer()
    if active is None:
        return handler
    return cast("F", active.capture_lambda_handler(handler, capture_response=False))
