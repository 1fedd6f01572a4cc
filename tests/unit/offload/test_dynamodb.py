"""offload.dynamodb: the one translator between plain values and DynamoDB items, and every call
a store makes, against moto's DynamoDB (the template's own table)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, Field

from offload.dynamodb import (
    BATCH_ATTEMPTS,
    BATCH_BACKOFF_SECONDS,
    MAX_BATCH_WRITE,
    ConditionFailedError,
    MissingSettingError,
    Table,
    UnprocessedError,
    values_of,
)

TABLE = "DataTable"


@pytest.fixture
def table(dynamodb: Any) -> Table:
    return Table(TABLE, lambda: dynamodb)


def key(n: int, pk: str = "ITEM#a") -> dict[str, str]:
    return {"pk": pk, "sk": f"{n:04d}"}


class Hidden(BaseModel):
    id: str
    count: int = 0
    owner: str | None = Field(default=None, exclude=True)
    note: str | None = None
    at: datetime | None = None


def sent(client: Any) -> list[tuple[str, dict[str, Any]]]:
    """The operations a client makes, with their parameters as boto3 was given them."""
    calls: list[tuple[str, dict[str, Any]]] = []

    def record(params: dict[str, Any], model: Any, **_: Any) -> None:
        calls.append((model.name, dict(params)))

    client.meta.events.register("provide-client-params.dynamodb", record)
    return calls


def test_values_round_trip_as_plain_python() -> None:
    values = {"i": 3, "f": 2.5, "b": True, "s": "x", "l": [1, 2.25, "y"], "d": {"n": 7}}

    item = Table.item(values | {"gone": None})

    assert "gone" not in item
    assert item["i"] == {"N": "3"}
    assert item["f"] == {"N": "2.5"}
    assert item["b"] == {"BOOL": True}
    assert Table.values(item) == values
    assert type(Table.values(item)["i"]) is int
    assert type(Table.values({"f": {"N": "2.0"}})["f"]) is int
    assert Table.values({"s": {"SS": ["a"]}}) == {"s": ["a"]}
    assert Table.values({"t": {"L": [{"N": "1.5"}]}}) == {"t": [1.5]}


def test_hidden_fields_are_stored_and_unset_ones_are_not() -> None:
    assert values_of(Hidden(id="a", owner="u1")) == {"id": "a", "count": 0, "owner": "u1"}
    assert values_of(Hidden(id="a")) == {"id": "a", "count": 0}
    # As JSON values: a datetime is stored as ISO 8601 text, which sorts as time does.
    at = datetime(2026, 12, 1, 12, 30, tzinfo=UTC)
    assert values_of(Hidden(id="a", at=at))["at"] == "2026-12-01T12:30:00Z"


def test_a_read_is_eventually_consistent_unless_asked(dynamodb: Any, table: Table) -> None:
    # A strongly consistent read costs twice as much: only callers that need it ask.
    calls = sent(dynamodb)
    table.get(key(1))
    table.get(key(1), consistent=True)

    assert [(op, params["ConsistentRead"]) for op, params in calls] == [
        ("GetItem", False),
        ("GetItem", True),
    ]


def test_a_model_reads_back_as_written(table: Table) -> None:
    table.put(key(1) | values_of(Hidden(id="a", count=2, owner="u1")))

    stored = table.get(key(1), consistent=True)
    assert stored is not None
    assert table.model(Hidden, Table.item(stored)) == Hidden(id="a", count=2, owner="u1")
    assert table.get(key(2)) is None


def test_a_failed_condition_says_what_the_item_was(table: Table) -> None:
    table.put(key(1) | {"state": "running"})

    with pytest.raises(ConditionFailedError) as failed:
        table.update(
            key(1),
            "SET #s = :done",
            condition="#s = :queued",
            names={"#s": "state"},
            expression_values={":done": "done", ":queued": "queued"},
            old_on_failure=True,
        )
    assert failed.value.old == key(1) | {"state": "running"}
    with pytest.raises(ConditionFailedError) as unasked:
        table.put(key(1), condition="attribute_not_exists(pk)")
    assert unasked.value.old is None
    with pytest.raises(ConditionFailedError) as unasked:
        table.update(key(1), "SET #s = :done", "#s = :x", {"#s": "state"}, {":done": 1, ":x": 2})
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


def test_other_errors_are_not_condition_failures(table: Table) -> None:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as error:
        table.update(key(1), "SET nonsense")
    assert not isinstance(error.value, ConditionFailedError)


def test_a_table_without_a_name_is_a_clear_error(dynamodb: Any) -> None:
    with pytest.raises(MissingSettingError, match="no table name"):
        Table(lambda: "", lambda: dynamodb).get(key(1))
    assert Table(lambda: TABLE, lambda: dynamodb).name == TABLE


def test_a_query_reads_every_page_in_either_order_or_up_to_a_limit(table: Table) -> None:
    # Items of about 100 KB: a query page holds 1 MB, so 25 of them take three pages.
    big = "x" * 100_000
    table.batch_write(puts=[key(n) | {"n": n, "big": big} for n in range(25)])
    table.batch_write(puts=[key(1, pk="ITEM#b")])

    def query(**options: Any) -> list[int]:
        found = table.query("pk = :pk", {":pk": "ITEM#a"}, projection="n", **options)
        return [item["n"] for item in found]

    assert query() == list(range(25))
    assert query(forward=False) == list(reversed(range(25)))
    assert query(limit=3) == [0, 1, 2]
    assert query(limit=12) == list(range(12))


def test_a_query_on_an_index(table: Table) -> None:
    table.put(key(1) | {"failed_on": "2026-12-01", "updated_at": "b"})
    table.put(key(2) | {"failed_on": "2026-12-01", "updated_at": "a"})
    table.put(key(3) | {"failed_on": "2026-11-30", "updated_at": "c"})

    found = table.query(
        "failed_on = :d", {":d": "2026-12-01"}, index="RecentFailures", forward=False
    )

    assert [item["sk"] for item in found] == ["0001", "0002"]


def test_a_scan_filters_every_page(table: Table) -> None:
    big = "x" * 100_000
    table.batch_write(puts=[key(n) | {"n": n, "big": big, "kind": n % 2} for n in range(25)])

    found = table.scan("#k = :odd", {":odd": 1}, names={"#k": "kind"}, projection="n")

    assert sorted(item["n"] for item in found) == list(range(1, 25, 2))
    assert all(set(item) == {"n"} for item in table.scan("n > :x", {":x": 20}, projection="n"))


def test_batches_write_and_read_any_number_of_items(dynamodb: Any, table: Table) -> None:
    count = 2 * MAX_BATCH_WRITE + 3
    table.batch_write(puts=[key(n) | {"n": n} for n in range(count)])

    calls = sent(dynamodb)
    found = table.batch_get([key(n) for n in range(count + 100)])
    assert sorted(item["n"] for item in found) == list(range(count))
    # BatchGetItem takes at most 100 keys a call.
    assert [len(params["RequestItems"][TABLE]["Keys"]) for _, params in calls] == [100, 53]

    table.batch_write(deletes=[key(n) for n in range(count - 1)])
    assert [item["n"] for item in table.batch_get([key(n) for n in range(count)])] == [count - 1]


class Unprocessed:
    """A client that leaves all but the first of a request's items unprocessed, as a throttled
    table may: on the first call only, or on every call (`always`)."""

    def __init__(self, client: Any, always: bool = False) -> None:
        self.client = client
        self.always = always
        self.calls: list[int] = []

    def batch_write_item(self, RequestItems: Any) -> Any:
        [(name, requests)] = RequestItems.items()
        self.calls.append(len(requests))
        if len(self.calls) == 1 or self.always:
            answer = self.client.batch_write_item(RequestItems={name: requests[:1]})
            return answer | {"UnprocessedItems": {name: requests[1:]}}
        return self.client.batch_write_item(RequestItems=RequestItems)

    def batch_get_item(self, RequestItems: Any) -> Any:
        [(name, request)] = RequestItems.items()
        self.calls.append(len(request["Keys"]))
        if len(self.calls) == 1 or self.always:
            answer = self.client.batch_get_item(RequestItems={name: {"Keys": request["Keys"][:1]}})
            return answer | {"UnprocessedKeys": {name: {"Keys": request["Keys"][1:]}}}
        return self.client.batch_get_item(RequestItems=RequestItems)


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """The range each resend's pause is drawn from; nothing waits."""
    ranges: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        ranges.append((low, high))
        return high

    monkeypatch.setattr("offload.dynamodb.random.uniform", uniform)
    monkeypatch.setattr("offload.dynamodb.time.sleep", lambda seconds: None)
    return ranges


def test_unprocessed_items_are_sent_again_after_a_pause(
    dynamodb: Any, pauses: list[tuple[float, float]]
) -> None:
    writes: Any = Unprocessed(dynamodb)
    Table(TABLE, lambda: writes).batch_write(puts=[key(n) | {"n": n} for n in range(3)])
    assert writes.calls == [3, 2]

    reads: Any = Unprocessed(dynamodb)
    found = Table(TABLE, lambda: reads).batch_get([key(n) for n in range(3)])
    assert reads.calls == [3, 2]
    assert sorted(item["n"] for item in found) == [0, 1, 2]
    assert pauses == [(0, BATCH_BACKOFF_SECONDS)] * 2


def test_a_batch_left_unprocessed_gives_up_after_backing_off(
    dynamodb: Any, pauses: list[tuple[float, float]]
) -> None:
    writes: Any = Unprocessed(dynamodb, always=True)
    with pytest.raises(UnprocessedError, match=f"^writes to {TABLE} still unprocessed$"):
        Table(TABLE, lambda: writes).batch_write(puts=[key(n) | {"n": n} for n in range(9)])
    # One item gets through per call; the rest wait up to twice as long each time.
    assert writes.calls == [9, 8, 7, 6, 5, 4]
    assert len(writes.calls) == BATCH_ATTEMPTS
    assert pauses == [(0, BATCH_BACKOFF_SECONDS * 2**n) for n in range(BATCH_ATTEMPTS - 1)]

    reads: Any = Unprocessed(dynamodb, always=True)
    with pytest.raises(UnprocessedError, match=f"^keys of {TABLE} still unprocessed$"):
        Table(TABLE, lambda: reads).batch_get([key(n) for n in range(9)])
    assert reads.calls == [9, 8, 7, 6, 5, 4]


def test_numbers_keep_their_value() -> None:
    assert Table.item({"f": 0.1})["f"] == {"N": "0.1"}
    assert Table.values({"n": {"N": "12345678901234567890"}})["n"] == 12345678901234567890
    assert Table.item({"t": (1, True)})["t"] == {"L": [{"N": "1"}, {"BOOL": True}]}
