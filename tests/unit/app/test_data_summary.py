from __future__ import annotations

import math

from app.data_summary import parse_number, summarize


def test_numbers_strings_and_nulls_per_field() -> None:
    summary = summarize(
        [{"n": 1, "s": "a"}, {"n": 3.5, "s": "b"}, {"n": None, "s": "a"}, {"s": "c", "late": 1}]
    )

    assert summary.records == 4
    n = summary.fields["n"]
    assert (n.count, n.nulls, n.min, n.max, n.mean) == (2, 2, 1, 3.5, 2.25)
    s = summary.fields["s"]
    assert (s.count, s.nulls, s.distinct, s.top) == (4, 0, 3, [("a", 2), ("b", 1), ("c", 1)])
    # a field first seen in the last record was null in the three before
    assert summary.fields["late"].nulls == 3


def test_the_mean_of_numbers_near_floats_limit_is_finite() -> None:
    largest = 1.7976931348623157e308
    field = summarize([{"x": largest}] * 3 + [{"x": 0}]).fields["x"]

    assert field.mean == 0.75 * largest
    assert summarize([{"x": 0}, {"x": 0.0}]).fields["x"].mean == 0


def test_booleans_are_not_numbers_and_types_are_counted() -> None:
    field = summarize([{"x": True}, {"x": 2}, {"x": "2"}, {"x": [1]}]).fields["x"]

    assert field.types == {"boolean": 1, "number": 1, "string": 1, "array": 1}
    assert (field.min, field.max) == (2, 2)


def test_empty_dataset() -> None:
    assert summarize([]).model_dump() == {"records": 0, "fields": {}}


def test_top_values_are_capped_and_ties_ordered_by_value() -> None:
    top = summarize([{"k": str(i % 7)} for i in range(70)]).fields["k"].top

    assert top == [(str(i), 10) for i in range(5)]


def test_csv_cells_that_read_as_numbers() -> None:
    assert parse_number(" 42 ") == 42
    assert parse_number("2.5") == 2.5
    assert parse_number("nan") == "nan"
    assert parse_number("inf") == "inf"
    assert parse_number("abc") == "abc"
    assert not math.isnan(float(parse_number("1e3")))
