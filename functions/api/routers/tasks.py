"""Where a task stands: every id the API returns can be looked up here, by the task's owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, status
from starlette.concurrency import run_in_threadpool

from api.caller import CurrentCaller
from api.errors import AUTHENTICATED, NOT_FOUND
from app.task_runtime import status_store
from offload.status import DynamoStatusStore, TaskStatus

router = APIRouter(prefix="/tasks", tags=["tasks"], responses={**AUTHENTICATED, **NOT_FOUND})

StatusDB = Annotated[DynamoStatusStore, Depends(status_store)]
TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.get("/{task_id}")
async def task_status(task_id: TaskId, caller: CurrentCaller, store: StatusDB) -> TaskStatus:
    found = await run_in_threadpool(store.get, task_id)
    # Another user's task is answered like one that does not exist: ids are not to be probed.
    if found is None or not caller.may_read(found.owner):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such task")
    return found
