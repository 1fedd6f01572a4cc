"""The table's indexes are the ones the code queries, keyed by what the code writes."""

from __future__ import annotations

from typing import Any

from app.uploads.files import SWEEP_INDEX
from offload_local.template.translation import Translated


def table(translated: Translated) -> dict[str, Any]:
    properties: dict[str, Any] = translated.resources["DataTable"]["Properties"]
    return properties


def test_the_sweep_index_orders_file_records_by_when_they_are_due(
    translated: Translated,
) -> None:
    properties = table(translated)
    indexes = {i["IndexName"]: i for i in properties["GlobalSecondaryIndexes"]}
    types = {a["AttributeName"]: a["AttributeType"] for a in properties["AttributeDefinitions"]}

    index = indexes[SWEEP_INDEX]
    keys = {k["KeyType"]: k["AttributeName"] for k in index["KeySchema"]}
    assert keys == {"HASH": "sweep_key", "RANGE": "sweep_at"}
    # A record's due time is epoch seconds, compared as a number
    assert (types["sweep_key"], types["sweep_at"]) == ("S", "N")
    # The cleanup needs a due record's key, nothing more
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}
