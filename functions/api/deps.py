"""Every dependency the routers share, as `Annotated` aliases so signatures read as prose. The
parts come from the application's wiring, built once per execution environment."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.datasets import DatasetStore
from app.items import ItemStore
from app.logs import LogStore
from app.quotas import DailyQuota
from app.search import SearchIndex
from app.tasks.notifications import write_log
from app.uploads.files import FileStore
from app.uploads.storage import UploadBucket
from app.users import UserStore
from app.wiring import Wiring, api_wiring
from offload.producer import BackgroundTasks, TaskBatch
from offload.records import TaskRecords
from offload.scheduler import OneTimeSchedules

# Factories without parameters: FastAPI would read a store's constructor arguments as query
# parameters.
Parts = Annotated[Wiring, Depends(api_wiring)]


def task_records(parts: Parts) -> TaskRecords:
    return parts.task_records


def schedules(parts: Parts) -> OneTimeSchedules:
    return parts.schedules


def items(parts: Parts) -> ItemStore:
    return parts.items


def search_index(parts: Parts) -> SearchIndex:
    return parts.search


def users(parts: Parts) -> UserStore:
    return parts.users


def datasets(parts: Parts) -> DatasetStore:
    return parts.datasets


def logs(parts: Parts) -> LogStore:
    return parts.logs


def files(parts: Parts) -> FileStore:
    return parts.files


def bucket(parts: Parts) -> UploadBucket:
    return parts.bucket


def email_quota(parts: Parts) -> DailyQuota:
    return parts.email_quota


def upload_quota(parts: Parts) -> DailyQuota:
    return parts.upload_quota


TaskRecordsDB = Annotated[TaskRecords, Depends(task_records)]
Schedules = Annotated[OneTimeSchedules, Depends(schedules)]
ItemDB = Annotated[ItemStore, Depends(items)]
SearchDB = Annotated[SearchIndex, Depends(search_index)]
UserDB = Annotated[UserStore, Depends(users)]
DatasetDB = Annotated[DatasetStore, Depends(datasets)]
LogDB = Annotated[LogStore, Depends(logs)]
FileDB = Annotated[FileStore, Depends(files)]
Bucket = Annotated[UploadBucket, Depends(bucket)]
EmailQuota = Annotated[DailyQuota, Depends(email_quota)]
UploadQuota = Annotated[DailyQuota, Depends(upload_quota)]


async def charge(
    quota: DailyQuota, subject: str, background_tasks: TaskBatch | None = None, amount: int = 1
) -> None:
    """Count `amount` for `subject`; QuotaExceededError (answered 429) past the limit.

    Charged when the request is accepted, not when the worker sends: a quota that requests
    could pass while their tasks wait on the queue would limit nothing. A request whose tasks
    are refused (503) is refunded, as it did nothing.
    """
    await run_in_threadpool(quota.charge, subject, amount)
    if background_tasks is not None:
        background_tasks.on_enqueue_failure(lambda: quota.refund(subject, amount))


def record_request(request: Request, background_tasks: BackgroundTasks) -> None:
    """Log every write to the notification log, as a task of the same request."""
    background_tasks.add_task(write_log, f"{request.method} {request.url.path}")


Audited = Annotated[None, Depends(record_request)]
