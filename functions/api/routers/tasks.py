"""Where a task stands: every id the API returns can be looked up here, by the task's owner."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, status
from starlette.concurrency import run_in_threadpool

from api.caller import CurrentCaller
from api.deps import TaskRecordsDB
from api.errors import AUTHENTICATED, NOT_FOUND
from offload.records import TaskRecord

router = APIRouter(prefix="/tasks", tags=["tasks"], responses={**AUTHENTICATED, **NOT_FOUND})

TaskId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


@router.get("/{task_id}")
async def task_status(task_id: TaskId, caller: CurrentCaller, records: TaskRecordsDB) -> TaskRecord:
    found = await run_in_threadpool(records.get, task_id)
    # Another user's task is answered like one that does not exist: ids are not to be probed.
    if found is None or not caller.may_read(found.owner):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such task")
    return found
