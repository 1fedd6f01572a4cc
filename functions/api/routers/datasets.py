"""Datasets: post one, read its summary once the worker has made it."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Path, status
from pydantic import BaseModel, JsonValue
from starlette.concurrency import run_in_threadpool

from api.caller import CurrentCaller
from api.deps import DatasetDB, DatasetQuota, charge, writes
from api.errors import AUTHENTICATED, BODY, ENQUEUE, NOT_FOUND
from app.datasets import Dataset
from app.tasks.datasets import summarize_dataset
from offload.producer import BackgroundTasks

router = APIRouter(prefix="/process", tags=["data processing"], responses=AUTHENTICATED)

#: Records per dataset; the body itself is capped by the API's content limits.
MAX_RECORDS = 1000
DatasetId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class DatasetAccepted(BaseModel):
    id: str
    task_id: str
    status_url: str


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    **writes(BODY, ENQUEUE, quota=True),
)
async def process(
    records: Annotated[list[dict[str, JsonValue]], Body(max_length=MAX_RECORDS)],
    caller: CurrentCaller,
    store: DatasetDB,
    quota: DatasetQuota,
    background_tasks: BackgroundTasks,
) -> DatasetAccepted:
    # Counted first: a request over the quota creates nothing.
    await charge(quota, caller.sub, background_tasks)
    dataset_id = uuid.uuid4().hex
    # Pending from now on, so that GET answers for it at once (and knows whose it is).
    await run_in_threadpool(store.create, dataset_id, caller.sub)
    background_tasks.on_enqueue_failure(lambda: store.delete(dataset_id))
    task_id = background_tasks.add_task(summarize_dataset, dataset_id, records)
    return DatasetAccepted(id=dataset_id, task_id=task_id, status_url=f"/process/{dataset_id}")


@router.get("/{dataset_id}", responses=NOT_FOUND)
async def summary(dataset_id: DatasetId, caller: CurrentCaller, store: DatasetDB) -> Dataset:
    """`pending` until the worker is done, then `ready` with the summary or `failed` with why."""
    return caller.own(await run_in_threadpool(store.get, dataset_id), "dataset")
