"""Reading back what the worker's write_log task stored: an operator's view, admins only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.concurrency import run_in_threadpool

from api.caller import AdminCaller
from api.deps import LogDB
from api.errors import AUTHENTICATED, FORBIDDEN
from app.logs import LogEntry

router = APIRouter(tags=["notifications"], responses={**AUTHENTICATED, **FORBIDDEN})


@router.get("/logs")
async def list_logs(
    _: AdminCaller, logs: LogDB, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> list[LogEntry]:
    return await run_in_threadpool(logs.recent, limit)
