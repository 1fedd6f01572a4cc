"""Where a task stands: every id the API returns can be looked up here, by the task's owner,
who may also cancel a task added for later until it starts."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from starlette.concurrency import run_in_threadpool

from api.caller import Caller, CurrentCaller
from api.deps import Tasks, writes
from api.errors import AUTHENTICATED, NOT_FOUND, NOT_SCHEDULED
from offload import NotScheduledError, Offload, TaskRow

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/tasks", tags=["tasks"], responses={**AUTHENTICATED, **NOT_FOUND})

TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.get("/{task_id}")
async def task_status(task_id: TaskId, caller: CurrentCaller, tasks: Tasks) -> TaskRow:
    return await _own_task(task_id, caller, tasks)


@router.delete("/{task_id}", **writes(NOT_SCHEDULED))
async def cancel_task(task_id: TaskId, caller: CurrentCaller, tasks: Tasks) -> TaskRow:
    """Cancel a task added for later, until it starts: it will not run. Cancelling a cancelled
    task again answers the same."""
    found = await _own_task(task_id, caller, tasks)
    if found.status != "cancelled":
        try:
            await run_in_threadpool(tasks.cancel, task_id)
        except NotScheduledError as exc:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                f"The task is {exc.status}: only a scheduled task can "
                "be cancelled, before it starts",
            ) from None
    return await _own_task(task_id, caller, tasks)


async def _own_task(task_id: str, caller: Caller, tasks: Offload) -> TaskRow:
    return caller.own(await run_in_threadpool(tasks.status, task_id), "task")
