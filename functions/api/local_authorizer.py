"""API Gateway's JWT authorizer step, under `sam local` only.

On AWS the HTTP API's JWT authorizer checks each request's token before the function runs and
hands over its claims in `requestContext.authorizer` (api/caller.py reads them); the function
never sees a request it has not checked. `sam local start-api` runs no JWT authorizer. There,
an event that no authorizer has seen goes to the service named by SAM_LOCAL_AUTHORIZER_URL
(`offload-local sam` serves one with the local cloud's authorizer), and its decision is
applied as API Gateway applies it: the claims go into the event, or its refusal is the answer.

Nothing of this runs on AWS: the settings name no service unless the SAM CLI runs the function
(AWS_SAM_LOCAL, which Lambda never sets), and the template declares SAM_LOCAL_AUTHORIZER_URL as
AWS::NoValue, which a deployed function never has. Under `sam local`, a request is refused when
the service is missing or cannot be reached: a token is never taken unchecked.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from app.settings import get_settings

logger = logging.getLogger(__name__)
_TIMEOUT_SECONDS = 5


def authorize(event: dict[str, Any], function_name: str) -> dict[str, Any] | None:
    """Under `sam local`, do what the JWT authorizer would have done with the event: add its
    claims, or return the response it would have sent instead. Anywhere else: nothing, None."""
    settings = get_settings()
    if not settings.under_sam_local:
        return None
    context = event.get("requestContext")
    if not isinstance(context, dict) or "authorizer" in context:
        return None  # not an HTTP API request, or an authorizer has decided (an event file)
    url = settings.sam_local_authorizer_url()
    if url is None:
        # Plain `sam local start-api`, or a public route of the local cloud's gateway (which
        # authorizes the others itself): no caller, so routes that need one answer 401.
        logger.debug("no authorizer ran and SAM_LOCAL_AUTHORIZER_URL names no service")
        return None
    try:
        decision = _ask(url, function_name, event)
    except (OSError, ValueError) as exc:
        logger.error("the local authorizer at %s could not be asked: %s", url, exc)
        return _refusal("the local authorizer could not be reached")
    if isinstance(decision.get("response"), dict):
        response: dict[str, Any] = decision["response"]
        return response
    if isinstance(decision.get("authorizer"), dict):
        context["authorizer"] = decision["authorizer"]
    return None


def _ask(url: str, function_name: str, event: dict[str, Any]) -> dict[str, Any]:
    import urllib.request  # only here: never imported on AWS

    # The body is not the authorizer's business (and may be megabytes).
    request = {"function": function_name, "event": {k: v for k, v in event.items() if k != "body"}}
    post = urllib.request.Request(  # noqa: S310 - the URL comes from the sam local settings
        url,
        data=json.dumps(request).encode(),
        headers={"content-type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(post, timeout=_TIMEOUT_SECONDS) as answer:  # noqa: S310
        decision = json.loads(answer.read())
    if not isinstance(decision, dict):
        raise ValueError(f"not a decision: {decision!r}")
    return decision


def _refusal(reason: str) -> dict[str, Any]:
    """API Gateway's 401, as its authorizer answers when it cannot check a token."""
    return {
        "statusCode": 401,
        "headers": {
            "content-type": "application/json",
            "www-authenticate": f'Bearer error="invalid_token" error_description="{reason}"',
        },
        "body": json.dumps({"message": "Unauthorized"}),
    }
