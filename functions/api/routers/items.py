"""Items: created at once, then indexed for search and announced to the owner by the worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import Audited, ItemDB, SearchDB
from app.items import Item, ItemCreate
from app.tasks.items import send_item_created_email, update_search_index
from offload.producer import BackgroundTasks

router = APIRouter(tags=["items"])

ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class ItemCreated(BaseModel):
    item: Item
    task_ids: list[str]


class SearchResults(BaseModel):
    query: str
    items: list[Item]


@router.post("/items", status_code=status.HTTP_201_CREATED)
async def create_item(
    data: ItemCreate, items: ItemDB, background_tasks: BackgroundTasks, _: Audited
) -> ItemCreated:
    item = await run_in_threadpool(items.create, data)
    background_tasks.add_task(update_search_index, item.id)
    background_tasks.add_task(send_item_created_email, item.id)
    # A 503 tells the client to retry: an item left behind would be a duplicate, never indexed.
    background_tasks.on_enqueue_failure(lambda: items.delete(item.id))
    return ItemCreated(item=item, task_ids=background_tasks.task_ids)


@router.get("/items/{item_id}")
async def get_item(item_id: ItemId, items: ItemDB) -> Item:
    item = await run_in_threadpool(items.get, item_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such item")
    return item


@router.get("/search")
async def search(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    index: SearchDB,
    items: ItemDB,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchResults:
    ids = await run_in_threadpool(index.search, q, limit)
    found = await run_in_threadpool(items.get_many, ids)
    return SearchResults(query=q, items=found)
