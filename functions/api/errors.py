"""Error responses that say what is wrong without echoing what was sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

if TYPE_CHECKING:
    from fastapi import FastAPI, Request

MAX_ERRORS = 20


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
