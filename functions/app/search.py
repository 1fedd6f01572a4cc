"""An inverted index in DynamoDB: one entry per (word, item), so a word's items are one query."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app import aws
from app.table import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, WriteRequestTypeDef

_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 200
MIN_LENGTH = 2
# Words too common to narrow a search down.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "to",
        "was",
        "with",
    ]
)


def words(text: str) -> set[str]:
    """The indexable words of a text: lower-cased, at least two characters, no stop words."""
    found = {w.casefold() for w in _WORD.findall(text) if len(w) >= MIN_LENGTH} - STOP_WORDS
    return set(sorted(found)[:MAX_WORDS])


class SearchIndex:
    """Entries (WORD#<word>, OWNER#<owner>#ITEM#<id>): a word's items are one partition, and an
    owner's among them one key range, so a user's search never reads another user's items and
    an admin's reads all of them without a second index."""

    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def index(self, item_id: str, owner: str, text: str) -> set[str]:
        """Make `item_id` findable by the words of `text`. Writing again changes nothing."""
        indexed = words(text)
        requests: list[WriteRequestTypeDef] = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"WORD#{word}"},
                        "sk": {"S": f"{_owner_prefix(owner)}ITEM#{item_id}"},
                        "item_id": {"S": item_id},
                    }
                }
            }
            for word in sorted(indexed)
        ]
        for start in range(0, len(requests), 25):  # BatchWriteItem takes 25 requests
            pending: dict[str, list[WriteRequestTypeDef]] = {
                self._table: requests[start : start + 25]
            }
            while pending:
                response = aws.dynamodb().batch_write_item(RequestItems=pending)
                unprocessed = response.get("UnprocessedItems") or {}
                # The response types differ from the request types only in name.
                pending = {k: list(v) for k, v in unprocessed.items() if v}  # type: ignore[arg-type]
        return indexed

    def search(self, query: str, owner: str | None, limit: int = 20) -> list[str]:
        """Ids of `owner`'s items (everyone's when None) that have every word of the query
        (AND), in id order."""
        terms = words(query)
        if not terms:
            return []
        matches: set[str] | None = None
        # Rarest-first would need counts; a fixed order keeps it simple and deterministic.
        for term in sorted(terms):
            ids = self._items_with(term, owner)
            matches = ids if matches is None else matches & ids
            if not matches:
                return []
        return sorted(matches or ())[:limit]

    def _items_with(self, word: str, owner: str | None) -> set[str]:
        ids: set[str] = set()
        condition = "pk = :pk"
        values: dict[str, AttributeValueTypeDef] = {":pk": {"S": f"WORD#{word}"}}
        if owner is not None:
            condition += " AND begins_with(sk, :owner)"
            values[":owner"] = {"S": _owner_prefix(owner)}
        kwargs: dict[str, object] = {}
        while True:
            response = aws.dynamodb().query(
                TableName=self._table,
                KeyConditionExpression=condition,
                ExpressionAttributeValues=values,
                ProjectionExpression="item_id",
                **kwargs,  # type: ignore[arg-type]
            )
            ids.update(i["item_id"]["S"] for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return ids
            kwargs = {"ExclusiveStartKey": response["LastEvaluatedKey"]}


def _owner_prefix(owner: str) -> str:
    return f"OWNER#{owner}#"
