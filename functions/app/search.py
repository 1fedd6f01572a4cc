"""An inverted index in DynamoDB: one entry per (word, item), so a word's items are one query."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from app import aws
from app.table import table_name

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import WriteRequestTypeDef

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
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def index(self, item_id: str, text: str) -> set[str]:
        """Make `item_id` findable by the words of `text`. Writing again changes nothing."""
        indexed = words(text)
        requests: list[WriteRequestTypeDef] = [
            {
                "PutRequest": {
                    "Item": {
                        "pk": {"S": f"WORD#{word}"},
                        "sk": {"S": f"ITEM#{item_id}"},
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

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Ids of items that have every word of the query (AND), in id order."""
        terms = words(query)
        if not terms:
            return []
        matches: set[str] | None = None
        # Rarest-first would need counts; a fixed order keeps it simple and deterministic.
        for term in sorted(terms):
            ids = self._items_with(term)
            matches = ids if matches is None else matches & ids
            if not matches:
                return []
        return sorted(matches or ())[:limit]

    def _items_with(self, word: str) -> set[str]:
        ids: set[str] = set()
        kwargs: dict[str, object] = {}
        while True:
            response = aws.dynamodb().query(
                TableName=self._table,
                KeyConditionExpression="pk = :pk",
                ExpressionAttributeValues={":pk": {"S": f"WORD#{word}"}},
                ProjectionExpression="item_id",
                **kwargs,  # type: ignore[arg-type]
            )
            ids.update(i["item_id"]["S"] for i in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return ids
            kwargs = {"ExclusiveStartKey": response["LastEvaluatedKey"]}
