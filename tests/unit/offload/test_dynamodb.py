"""offload.dynamodb: the one translator between plain values and DynamoDB items, and the calls
the tasks' rows make, against moto's DynamoDB (the template's own table)."""

from __future__ import annotations

from typing import Any

import pytest

from offload.dynamodb import (
    BATCH_ATTEMPTS,
    BATCH_BACKOFF_SECONDS,
    MAX_BATCH_WRITE,
    ConditionFailedError,
    MissingSettingError,
    Table,
    UnprocessedError,
)

TABLE = "DataTable"


@pytest.fixture
def table(dynamodb: Any) -> Table:
    return Table(TABLE, lambda: dynamodb)


def key(n: int, pk: str = "ITEM#a") -> dict[str, str]:
    return {"pk": pk, "sk": f"{n:04d}"}


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


def test_a_read_is_eventually_consistent_unless_asked(dynamodb: Any, table: Table) -> None:
    # A strongly consistent read costs twice as much: only callers that need it ask.
    calls = sent(dynamodb)
    table.get(key(1))
    table.get(key(1), consistent=True)

    assert [(op, params["ConsistentRead"]) for op, params in calls] == [
        ("GetItem", False),
        ("GetItem", True),
    ]


def test_a_failed_condition_says_what_the_item_was(table: Table) -> None:
    table.batch_write(puts=[key(1) | {"state": "running"}])

    def finish(when: str, old_on_failure: bool = False) -> None:
        table.update(
            key(1),
            "SET #s = :done",
            condition="#s = :when",
            names={"#s": "state"},
            expression_values={":done": "done", ":when": when},
            old_on_failure=old_on_failure,
        )

    with pytest.raises(ConditionFailedError) as failed:
        finish(when="queued", old_on_failure=True)
    assert failed.value.old == key(1) | {"state": "running"}
    with pytest.raises(ConditionFailedError) as unasked:
        table.update(key(1), "SET #s = :done", "#s = :x", {"#s": "state"}, {":done": 1, ":x": 2})
    assert unasked.value.old is None
    finish(when="running")
    assert table.get(key(1)) == key(1) | {"state": "done"}


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
    table.batch_write(
        puts=[
            key(1) | {"failed_on": "2026-12-01", "updated_at": "b"},
            key(2) | {"failed_on": "2026-12-01", "updated_at": "a"},
            key(3) | {"failed_on": "2026-11-30", "updated_at": "c"},
        ]
    )

    found = table.query(
        "failed_on = :d", {":d": "2026-12-01"}, index="RecentFailures", forward=False
    )

    assert [item["sk"] for item in found] == ["0001", "0002"]


def test_batches_write_and_delete_any_number_of_items(dynamodb: Any, table: Table) -> None:
    count = 2 * MAX_BATCH_WRITE + 3
    calls = sent(dynamodb)
    table.batch_write(puts=[key(n) | {"n": n} for n in range(count)])

    # BatchWriteItem takes at most 25 requests a call.
    assert [len(params["RequestItems"][TABLE]) for _, params in calls] == [25, 25, 3]
    found = table.query("pk = :pk", {":pk": "ITEM#a"}, projection="n")
    assert [item["n"] for item in found] == list(range(count))

    table.batch_write(deletes=[key(n) for n in range(count - 1)])
    found = table.query("pk = :pk", {":pk": "ITEM#a"}, projection="n")
    assert [item["n"] for item in found] == [count - 1]


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


def test_unprocessed_items_are_sent_again_after_a_pause(
    dynamodb: Any, pauses: list[tuple[float, float]]
) -> None:
    writes: Any = Unprocessed(dynamodb)
    Table(TABLE, lambda: writes).batch_write(puts=[key(n) | {"n": n} for n in range(3)])
    assert writes.calls == [3, 2]
    assert pauses == [(0, BATCH_BACKOFF_SECONDS)]


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


def test_numbers_keep_their_value() -> None:
    assert Table.item({"f": 0.1})["f"] == {"N": "0.1"}
    assert Table.values({"n": {"N": "12345678901234567890"}})["n"] == 12345678901234567890
    assert Table.item({"t": (1, True)})["t"] == {"L": [{"N": "1"}, {"BOOL": True}]}
