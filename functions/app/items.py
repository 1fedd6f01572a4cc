"""Items: created by the API for the caller, indexed for search by the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from app import aws
from app.table import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef


class ItemCreate(BaseModel):
    # A field the API does not take (an address to send to, say) is a mistake worth a 422.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class Item(ItemCreate):
    id: str
    created_at: datetime
    #: The `sub` of the user who created it: only they (and admins) may read it. Never shown.
    owner: str = Field(exclude=True)


def _key(item_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"ITEM#{item_id}"}, "sk": {"S": "ITEM"}}


class ItemStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def create(self, data: ItemCreate, owner: str) -> Item:
        item = Item(
            id=uuid.uuid4().hex, created_at=datetime.now(UTC), owner=owner, **data.model_dump()
        )
        aws.dynamodb().put_item(
            TableName=self._table,
            Item=_key(item.id)
            | {
                "id": {"S": item.id},
                "name": {"S": item.name},
                "description": {"S": item.description},
                "owner": {"S": item.owner},
                "created_at": {"S": item.created_at.isoformat()},
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        return item

    def delete(self, item_id: str) -> None:
        aws.dynamodb().delete_item(TableName=self._table, Key=_key(item_id))

    def get(self, item_id: str) -> Item | None:
        response = aws.dynamodb().get_item(TableName=self._table, Key=_key(item_id))
        return _item(response["Item"]) if "Item" in response else None

    def get_many(self, item_ids: list[str]) -> list[Item]:
        """Items by id, in the order given; ids without an item are left out."""
        found: dict[str, Item] = {}
        for start in range(0, len(item_ids), 100):  # BatchGetItem takes 100 keys
            keys = [_key(i) for i in item_ids[start : start + 100]]
            request: Any = {self._table: {"Keys": keys}}
            while request:
                response = aws.dynamodb().batch_get_item(RequestItems=request)
                for raw in response.get("Responses", {}).get(self._table, []):
                    item = _item(raw)
                    found[item.id] = item
                request = response.get("UnprocessedKeys") or None
        return [found[i] for i in item_ids if i in found]


def _item(raw: dict[str, Any]) -> Item:
    return Item(
        id=raw["id"]["S"],
        name=raw["name"]["S"],
        description=raw["description"]["S"],
        owner=raw["owner"]["S"],
        created_at=datetime.fromisoformat(raw["created_at"]["S"]),
    )
