"""A validated token's claims as an HTTP API hands them to a payload 2.0 integration.

API Gateway passes every claim as a string: numbers and booleans as their JSON text
(`"exp": "1735689600"`, `"email_verified": "true"`), arrays in Go's bracketed, space-separated
form (`"cognito:groups": "[admin editors]"`, not JSON), objects as JSON text; null claims are
left out. Observed on deployed HTTP APIs (API Gateway's documentation shows only the nesting:
requestContext.authorizer.jwt.claims and .scopes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def render_claims(payload: Mapping[str, Any]) -> dict[str, str]:
    return {str(name): _render(value) for name, value in payload.items() if value is not None}


def _render(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = (item if isinstance(item, str) else _json(item) for item in value)
        return "[" + " ".join(items) + "]"
    return _json(value)


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def token_scopes(payload: Mapping[str, Any]) -> list[str] | None:
    """The scopes a token grants: its `scp` claim, else `scope` (a list, or space-separated
    text as Cognito's access tokens carry it); None when it has neither."""
    for claim in ("scp", "scope"):
        value = payload.get(claim)
        if isinstance(value, list) and value:
            return [str(item) for item in value]
        if isinstance(value, str) and value.strip():
            return value.split()
    return None
