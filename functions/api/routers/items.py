"""Items: created at once for the caller, then indexed for search and announced to the caller
by the worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.caller import CurrentCaller
from api.deps import Audited, EmailQuota, ItemDB, ItemQuota, SearchDB, charge, writes
from api.errors import AUTHENTICATED, BODY, ENQUEUE, NOT_FOUND
from app.items import Item, ItemCreate
from app.quotas import QuotaExceededError
from app.tasks.items import send_item_created_email, update_search_index
from offload.producer import BackgroundTasks

router = APIRouter(tags=["items"], responses=AUTHENTICATED)

ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class ItemCreated(BaseModel):
    item: Item
    task_ids: list[str]


class SearchResults(BaseModel):
    query: str
    items: list[Item]


@router.post(
    "/items",
    status_code=status.HTTP_201_CREATED,
    **writes(BODY, ENQUEUE, quota=True),
)
async def create_item(
    data: ItemCreate,
    caller: CurrentCaller,
    items: ItemDB,
    item_quota: ItemQuota,
    email_quota: EmailQuota,
    background_tasks: BackgroundTasks,
    _: Audited,
) -> ItemCreated:
    # Counted first: a request over either quota creates nothing, and costs neither.
    await charge(item_quota, caller.sub, background_tasks)
    # The announcement goes to the caller's own verified address, or nowhere.
    email = caller.verified_email
    if email is not None:
        try:
            await charge(email_quota, email, background_tasks)
        except QuotaExceededError:
            await run_in_threadpool(item_quota.refund, caller.sub)
            raise
    item = await run_in_threadpool(items.create, data, caller.sub)
    background_tasks.add_task(update_search_index, item.id)
    if email is not None:
        background_tasks.add_task(send_item_created_email, item.id, email)
    # A 503 tells the client to retry: an item left behind would be a duplicate, never indexed.
    background_tasks.on_enqueue_failure(lambda: items.delete(item.id))
    return ItemCreated(item=item, task_ids=background_tasks.task_ids)


@router.get("/items/{item_id}", responses=NOT_FOUND)
async def get_item(item_id: ItemId, caller: CurrentCaller, items: ItemDB) -> Item:
    return caller.own(await run_in_threadpool(items.get, item_id), "item")


@router.get("/search")
async def search(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    caller: CurrentCaller,
    index: SearchDB,
    items: ItemDB,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    """The caller's items with every word of `q` (an admin's search covers everyone's)."""
    owner = None if caller.is_admin else caller.sub
    ids = await run_in_threadpool(index.search, q, owner, limit)
    found = await run_in_threadpool(items.get_many, ids, owner=owner)
    return SearchResults(query=q, items=found)
