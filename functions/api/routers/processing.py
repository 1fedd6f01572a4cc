"""Data processing: post a dataset, get its summary once the worker has made it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, status
from pydantic import BaseModel, JsonValue
from starlette.concurrency import run_in_threadpool

from api.deps import SummaryDB
from app.summaries import SummaryRecord
from app.tasks.processing import summarize_dataset
from offload.producer import BackgroundTasks

router = APIRouter(prefix="/process", tags=["data processing"])

#: Records per dataset; the body itself is capped by the API's content limits.
MAX_RECORDS = 1000
DatasetId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class ProcessingAccepted(BaseModel):
    id: str
    task_id: str
    status_url: str


@router.post("", status_code=status.HTTP_202_ACCEPTED)
async def process(
    records: Annotated[list[dict[str, JsonValue]], Body(max_length=MAX_RECORDS)],
    background_tasks: BackgroundTasks,
) -> ProcessingAccepted:
    dataset_id = uuid.uuid4().hex
    task_id = background_tasks.add_task(summarize_dataset, dataset_id, records)
    return ProcessingAccepted(id=dataset_id, task_id=task_id, status_url=f"/process/{dataset_id}")


@router.get("/{dataset_id}")
async def summary(dataset_id: DatasetId, store: SummaryDB) -> SummaryRecord:
    record = await run_in_threadpool(store.get, dataset_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No summary yet for this id")
    return record
