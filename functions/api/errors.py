"""Error responses that say what is wrong without echoing what was sent, and what each route
may answer besides success (documented in the OpenAPI document)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from app.quotas import DAY, QuotaExceededError

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

MAX_ERRORS = 20


class Problem(BaseModel):
    """An error answer: `detail` from the API, or `message` from API Gateway itself (its 401
    for a missing or invalid token, its 429 when a route is throttled)."""

    detail: str | list[dict[str, Any]] | None = None
    message: str | None = None


#: What a route may answer besides success, by status code (FastAPI's `responses=`).
Responses = dict[int | str, dict[str, Any]]


def _documented(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


#: Why any authenticated route may answer 503 (api/caller.py).
ADMIN_UNCONFIRMED = "an administrator's rights could not be confirmed with the user pool"
_GATEWAY = "Throttled by API Gateway (the route's rate, for all callers together)"
_OWN_RATE = "past the caller's own rate of writes (Retry-After: until the next window opens)"
_DAILY = "past a daily quota (Retry-After: until the next UTC midnight)"
_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the caller may try again (API Gateway's 429 has none)",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _too_many(*reasons: str) -> Responses:
    """429, for the API Gateway throttle and the API's own limits a route has."""
    if not reasons:
        return {429: _documented(_GATEWAY)}
    return {429: _documented(", or ".join((_GATEWAY, *reasons))) | {"headers": _RETRY_AFTER}}


#: What every route behind the authorizer may answer.
AUTHENTICATED: Responses = {
    401: _documented("No token, or not a valid one (answered by API Gateway's authorizer)"),
    **_too_many(),
    503: _documented(f"Unavailable: {ADMIN_UNCONFIRMED}; nothing was done (Retry-After)"),
}
#: Public routes are throttled too.
THROTTLED: Responses = _too_many()
#: Routes that write (and so count the caller's rate: api.deps.writes)...
WRITE: Responses = _too_many(_OWN_RATE)
#: ...and those among them that count a daily quota as well.
WRITE_WITH_QUOTA: Responses = _too_many(_OWN_RATE, _DAILY)
NOT_FOUND: Responses = {404: _documented("No such resource among the caller's own")}
FORBIDDEN: Responses = {
    403: _documented("The caller may not do this (another user's address, or admins only)")
}
CONFLICT: Responses = {409: _documented("The caller is already registered")}
NOT_SCHEDULED: Responses = {
    409: _documented(
        "The task is not scheduled: it started, finished, or was never added for later"
    )
}
#: Routes that take a body: its size and type are checked before it is read.
BODY: Responses = {
    413: _documented("The body is larger than the route accepts"),
    415: _documented("The body's Content-Type is not one the route accepts"),
}
#: Routes that queue tasks: SQS refused them, nothing was done, retry.
ENQUEUE: Responses = {
    503: _documented(
        f"The background work could not be queued, or {ADMIN_UNCONFIRMED}; nothing was done "
        "(Retry-After)"
    )
}


async def validation_error(request: Request, exc: Exception) -> JSONResponse:
    # FastAPI's default 422 returns each offending input: a 5 MB field came back as a 5.2 MB
    # error. Location, message and type are enough to fix a request.
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    detail = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))[:300], "type": e.get("type")}
        for e in errors[:MAX_ERRORS]
    ]
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, content={"detail": detail}
    )


async def quota_exceeded(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, QuotaExceededError)
    return JSONResponse(
        status_code=status.HTTP_429_TOO_MANY_REQUESTS,
        content={"detail": _limit(exc)},
        headers={"Retry-After": str(exc.retry_after)},
    )


def _limit(exc: QuotaExceededError) -> str:
    if exc.window == DAY:
        return f"Daily limit of {exc.limit} {exc.what} reached."
    return f"Limit of {exc.limit} {exc.what} per {exc.window.total_seconds():g} s reached."


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(QuotaExceededError, quota_exceeded)
