"""Dependencies shared by routers, as `Annotated` aliases so signatures read as prose."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from app.items import ItemStore
from app.search import SearchIndex
from app.summaries import SummaryStore
from app.tasks.notifications import write_log
from app.users import UserStore
from offload.producer import BackgroundTasks


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


ItemDB = Annotated[ItemStore, Depends(item_store)]
SearchDB = Annotated[SearchIndex, Depends(search_index)]
UserDB = Annotated[UserStore, Depends(user_store)]
SummaryDB = Annotated[SummaryStore, Depends(summary_store)]


def record_request(request: Request, background_tasks: BackgroundTasks) -> None:
    """Log every write to the notification log, as a task of the same request."""
    background_tasks.add_task(write_log, f"{request.method} {request.url.path}")


Audited = Annotated[None, Depends(record_request)]
