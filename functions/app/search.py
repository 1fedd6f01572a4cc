"""An inverted index in DynamoDB: one entry per (word, item), so a word's items are one query."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.table import Table

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


def _owner_prefix(owner: str) -> str:
    """The key range of an owner's entries. `#` ends the owner in the key, so an owner's own
    `#` (any OpenID Connect issuer's `sub` may have one) is escaped, and `%`, the escape, with
    it: no owner's range is the start of another's ("alice#ITEM" cannot read "alice"'s)."""
    escaped = owner.replace("%", "%25").replace("#", "%23")
    return f"OWNER#{escaped}#"


class SearchIndex:
    """Entries (WORD#<word>, OWNER#<owner>#ITEM#<id>): a word's items are one partition, and an
    owner's among them one key range, so a user's search never reads another user's items and
    an admin's reads all of them without a second index. What a search finds is only ids: the
    items themselves are read with their owner checked again (ItemStore.get_many)."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def index(self, item_id: str, owner: str, text: str) -> set[str]:
        """Make `item_id` findable by the words of `text`. Writing again changes nothing."""
        indexed = words(text)
        self._table.batch_write(
            puts=[
                {
                    "pk": f"WORD#{word}",
                    "sk": f"{_owner_prefix(owner)}ITEM#{item_id}",
                    "item_id": item_id,
                }
                for word in sorted(indexed)
            ]
        )
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
        condition = "pk = :pk"
        values = {":pk": f"WORD#{word}"}
        if owner is not None:
            condition += " AND begins_with(sk, :owner)"
            values[":owner"] = _owner_prefix(owner)
        return {
            str(entry["item_id"])
            for entry in self._table.query(condition, values, projection="item_id")
        }
