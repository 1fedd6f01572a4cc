"""What the template invokes each function with, and whether an event is of that kind.

A function behind HTTP API routes receives HTTP API requests (payload format 2.0); one whose
queue an event source mapping reads receives SQS batches. Invoking it by hand (`invoke -e`,
`sam local invoke -e`) with an event of another kind tries something it never receives, so a
known mismatch is refused, naming the function that does receive such events. An event of no
kind recognised here is let through: it may be one the template's sources send.
"""

from __future__ import annotations

from typing import Any

from offload_local.errors import InfraError
from offload_local.provision.deployment import Deployment

HTTP_API_REQUEST = "an HTTP API request (payload 2.0)"
SQS_BATCH = "an SQS batch"
_RECORD_KINDS = {"aws:sqs": SQS_BATCH, "aws:s3": "an S3 notification", "aws:sns": "an SNS message"}


class WrongEventError(InfraError):
    """Raise when an event is of a kind the function is never invoked with."""


def event_kind(event: Any) -> str | None:
    """The kind of a Lambda event, when it is one recognised here."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    if event.get("version") == "2.0" and isinstance(context, dict) and "http" in context:
        return HTTP_API_REQUEST
    records = event.get("Records")
    if isinstance(records, list) and records and all(isinstance(r, dict) for r in records):
        sources = {r.get("eventSource") or r.get("EventSource") for r in records}
        if len(sources) == 1:
            return _RECORD_KINDS.get(str(sources.pop()))
    return None


def invoked_with(deployment: Deployment) -> dict[str, set[str]]:
    """The kinds of event each function receives from the template's sources, by logical id."""
    kinds: dict[str, set[str]] = {}
    for api in deployment.http_apis.values():
        for route in api.routes:
            function = deployment.function(route.function_arn).logical_id
            kinds.setdefault(function, set()).add(HTTP_API_REQUEST)
    for mapping in deployment.event_source_mappings.values():
        function = deployment.function(mapping.function).logical_id
        kinds.setdefault(function, set()).add(SQS_BATCH)
    return kinds


def check_event(deployment: Deployment, function: str, event: Any, source: str) -> None:
    """WrongEventError if `event` (read from `source`) is of a kind `function` never receives."""
    kinds = invoked_with(deployment)
    receives = kinds.get(deployment.function(function).logical_id)
    kind = event_kind(event)
    if not receives or kind is None or kind in receives:
        return
    takers = sorted(name for name, taken in kinds.items() if kind in taken)
    hint = f": invoke {' or '.join(takers)} with it" if takers else ""
    raise WrongEventError(
        f"{source} is {kind}, but {function} is only invoked with "
        f"{' or '.join(sorted(receives))}{hint}"
    )
