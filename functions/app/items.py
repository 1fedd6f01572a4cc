"""Items: created by the API for the caller, indexed for search by the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from app.table import values_of

if TYPE_CHECKING:
    from app.table import Table


class ItemCreate(BaseModel):
    # A field the API does not take (an address to send to, say) is a mistake worth a 422.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class Item(ItemCreate):
    model_config = ConfigDict(extra="ignore")

    id: str
    created_at: datetime
    #: The `sub` of the user who created it: only they (and admins) may read it. Never shown.
    owner: str = Field(exclude=True)


def key(item_id: str) -> dict[str, str]:
    return {"pk": f"ITEM#{item_id}", "sk": "ITEM"}


class ItemStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create(self, data: ItemCreate, owner: str) -> Item:
        item = Item(
            id=uuid.uuid4().hex, created_at=datetime.now(UTC), owner=owner, **data.model_dump()
        )
        self._table.put(key(item.id) | values_of(item), condition="attribute_not_exists(pk)")
        return item

    def delete(self, item_id: str) -> None:
        self._table.delete(key(item_id))

    def get(self, item_id: str) -> Item | None:
        values = self._table.get(key(item_id))
        return Item.model_validate(values) if values is not None else None

    def get_many(self, item_ids: list[str], *, owner: str | None) -> list[Item]:
        """`owner`'s items (anyone's when None) by id, in the order given; ids without an item,
        or whose item is someone else's, are left out: whatever found the ids, only the item's
        own record says whose it is."""
        found = {
            item.id: item
            for item in map(Item.model_validate, self._table.batch_get([key(i) for i in item_ids]))
            if owner is None or item.owner == owner
        }
        return [found[i] for i in item_ids if i in found]
