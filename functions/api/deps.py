"""Every dependency the routers share, as `Annotated` aliases so signatures read as prose. The
parts come from the application's wiring, built once per execution environment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypedDict, TypeVar

from fastapi import Depends, Request, params
from starlette.concurrency import run_in_threadpool

from api.caller import CurrentCaller
from api.errors import WRITE, WRITE_WITH_QUOTA, Responses
from app.datasets import DatasetStore
from app.items import ItemStore
from app.logs import LogStore
from app.quotas import DailyQuota, Quota
from app.search import SearchIndex
from app.tasks.notifications import write_log
from app.uploads.files import FileStore
from app.uploads.storage import UploadBucket
from app.users import UserStore
from app.wiring import Wiring, api_wiring
from offload import BackgroundTasks, Offload, RequestTasks, get_offload

Parts = Annotated[Wiring, Depends(api_wiring)]
T = TypeVar("T")


def part(get: Callable[[Wiring], T]) -> Any:
    """A dependency giving one part of the wiring. (A store's own constructor would not do:
    FastAPI would read its arguments as query parameters.)"""

    def dependency(parts: Parts) -> T:
        return get(parts)

    return Depends(dependency)


#: The front door the app was installed with (or, in tests, the one the test kit swaps in).
Tasks = Annotated[Offload, Depends(get_offload)]
ItemDB = Annotated[ItemStore, part(lambda p: p.items)]
SearchDB = Annotated[SearchIndex, part(lambda p: p.search)]
UserDB = Annotated[UserStore, part(lambda p: p.users)]
DatasetDB = Annotated[DatasetStore, part(lambda p: p.datasets)]
LogDB = Annotated[LogStore, part(lambda p: p.logs)]
FileDB = Annotated[FileStore, part(lambda p: p.files)]
Bucket = Annotated[UploadBucket, part(lambda p: p.bucket)]
EmailQuota = Annotated[DailyQuota, part(lambda p: p.email_quota)]
UploadQuota = Annotated[DailyQuota, part(lambda p: p.upload_quota)]
DatasetQuota = Annotated[DailyQuota, part(lambda p: p.dataset_quota)]
ItemQuota = Annotated[DailyQuota, part(lambda p: p.item_quota)]
WriteRate = Annotated[Quota, part(lambda p: p.write_rate)]


async def count_write(caller: CurrentCaller, rate: WriteRate) -> None:
    """One write against the caller's own rate; QuotaExceededError (answered 429) past it.

    A route dependency (`dependencies=[LIMITED]`): FastAPI runs it before it validates the
    endpoint's own parameters and body, so a refused request charges no other quota, creates
    and queues nothing. The requests it lets through count, whatever they answer next: a
    flood of invalid bodies is a flood too.
    """
    await run_in_threadpool(rate.charge, caller.sub)


#: Every route that writes (POST, PUT, PATCH, DELETE) lists it, through `writes()`.
LIMITED = Depends(count_write)


class WriteRoute(TypedDict):
    """The decorator options of a route that writes."""

    responses: Responses
    dependencies: list[params.Depends]


def writes(*responses: Responses, quota: bool = False) -> WriteRoute:
    """A writing route counts the caller's rate (LIMITED), and documents the 429 it may answer
    for it (and for a daily quota, with `quota`) after the route's own `responses`."""
    documented: Responses = {}
    for answers in (*responses, WRITE_WITH_QUOTA if quota else WRITE):
        documented.update(answers)
    return {"responses": documented, "dependencies": [LIMITED]}


async def charge(
    quota: Quota, subject: str, background_tasks: RequestTasks | None = None, amount: int = 1
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
