"""app.table: the application's records as pydantic models in the table, with the calls its
stores make beyond the tasks' rows (conditional puts and deletes, scans, reads of many keys),
against moto's DynamoDB (the template's own table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, Field

from app.table import ConditionFailedError, Table, values_of
from offload.dynamodb import (
    BATCH_ATTEMPTS,
    BATCH_BACKOFF_SECONDS,
    MAX_BATCH_WRITE,
    UnprocessedError,
)
from tests.unit.offload.test_dynamodb import TABLE, Unprocessed, key, sent


@pytest.fixture
def table(dynamodb: Any) -> Table:
    return Table(TABLE, lambda: dynamodb)


class Hidden(BaseModel):
    id: str
    count: int = 0
    owner: str | None = Field(default=None, exclude=True)
    note: str | None = None
    at: datetime | None = None


def test_hidden_fields_are_stored_and_unset_ones_are_not() -> None:
    assert values_of(Hidden(id="a", owner="u1")) == {"id": "a", "count": 0, "owner": "u1"}
    assert values_of(Hidden(id="a")) == {"id": "a", "count": 0}
    # As JSON values: a datetime is stored as ISO 8601 text, which sorts as time does.
    at = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
    assert values_of(Hidden(id="a", at=at))["at"] == "2026-12-01T12:30:00Z"


def test_a_model_reads_back_as_written(table: Table) -> None:
    table.put(key(1) | values_of(Hidden(id="a", count=2, owner="u1")))

    stored = table.get(key(1), consistent=True)
    assert stored is not None
    assert table.model(Hidden, Table.item(stored)) == Hidden(id="a", count=2, owner="u1")
    assert table.get(key(2)) is None


def test_puts_and_deletes_hold_to_their_conditions(table: Table) -> None:
    table.put(key(1) | {"state": "running"})
    with pytest.raises(ConditionFailedError) as unasked:
        table.put(key(1), condition="attribute_not_exists(pk)")
    assert unasked.value.old is None
    table.put(
        key(1) | {"state": "done"},
        condition="#s = :running",
        names={"#s": "state"},
        expression_values={":running": "running"},
    )
    assert table.get(key(1)) == key(1) | {"state": "done"}
    with pytest.raises(ConditionFailedError):
        table.delete(
            key(1), condition="#s = :x", names={"#s": "state"}, expression_values={":x": "x"}
        )
    table.delete(key(1))
    assert table.get(key(1)) is None


def test_a_scan_filters_every_page(table: Table) -> None:
    big = "x" * 100_000
    table.batch_write(puts=[key(n) | {"n": n, "big": big, "kind": n % 2} for n in range(25)])

    found = table.scan("#k = :odd", {":odd": 1}, names={"#k": "kind"}, projection="n")

    assert sorted(item["n"] for item in found) == list(range(1, 25, 2))
    assert all(set(item) == {"n"} for item in table.scan("n > :x", {":x": 20}, projection="n"))


def test_any_number_of_items_are_read_by_key(dynamodb: Any, table: Table) -> None:
    count = 2 * MAX_BATCH_WRITE + 3
    table.batch_write(puts=[key(n) | {"n": n} for n in range(count)])

    calls = sent(dynamodb)
    found = table.batch_get([key(n) for n in range(count + 100)])
    assert sorted(item["n"] for item in found) == list(range(count))
    # BatchGetItem takes at most 100 keys a call.
    assert [len(params["RequestItems"][TABLE]["Keys"]) for _, params in calls] == [100, 53]


def test_unprocessed_keys_are_asked_again_after_a_pause_then_given_up(
    dynamodb: Any, pauses: list[tuple[float, float]]
) -> None:
    Table(TABLE, lambda: dynamodb).batch_write(puts=[key(n) | {"n": n} for n in range(9)])
    reads: Any = Unprocessed(dynamodb)
    found = Table(TABLE, lambda: reads).batch_get([key(n) for n in range(3)])
    assert reads.calls == [3, 2]
    assert sorted(item["n"] for item in found) == [0, 1, 2]
    assert pauses == [(0, BATCH_BACKOFF_SECONDS)]

    stuck: Any = Unprocessed(dynamodb, always=True)
    with pytest.raises(UnprocessedError, match=f"^keys of {TABLE} still unprocessed$"):
        Table(TABLE, lambda: stuck).batch_get([key(n) for n in range(9)])
    assert stuck.calls == [9, 8, 7, 6, 5, 4]
    assert len(stuck.calls) == BATCH_ATTEMPTS
