"""Dependencies shared by routers, as `Annotated` aliases so signatures read as prose."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.items import ItemStore
from app.quotas import DailyQuota
from app.search import SearchIndex
from app.settings import get_settings
from app.summaries import SummaryStore
from app.tasks.notifications import write_log
from app.users import UserStore
from offload.producer import BackgroundTasks, TaskBatch


# Factories without parameters: FastAPI would read a store's constructor arguments as query
# parameters. Stores are cheap; the AWS client behind them is cached.
def item_store() -> ItemStore:
    return ItemStore()


def search_index() -> SearchIndex:
    return SearchIndex()


def user_store() -> UserStore:
    return UserStore()


def summary_store() -> SummaryStore:
    return SummaryStore()


def email_quota() -> DailyQuota:
    return DailyQuota("EMAIL", "emails", get_settings().EMAILS_PER_RECIPIENT_PER_DAY)


def upload_quota() -> DailyQuota:
    return DailyQuota("UPLOAD", "bytes uploaded", get_settings().UPLOAD_BYTES_PER_USER_PER_DAY)


ItemDB = Annotated[ItemStore, Depends(item_store)]
SearchDB = Annotated[SearchIndex, Depends(search_index)]
UserDB = Annotated[UserStore, Depends(user_store)]
SummaryDB = Annotated[SummaryStore, Depends(summary_store)]
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
