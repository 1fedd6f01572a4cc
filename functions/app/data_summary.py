"""A summary of tabular data: per field, how many values and nulls; for numbers min, max and
mean; for strings the distinct count and the most common values. Pure: no I/O."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

TOP_VALUES = 5


class FieldSummary(BaseModel):
    count: int
    nulls: int
    types: dict[str, int]
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    distinct: int | None = None
    top: list[tuple[str, int]] | None = None


class DatasetSummary(BaseModel):
    records: int
    fields: dict[str, FieldSummary]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, Mapping) else "array"


def summarize(records: Iterable[Mapping[str, Any]]) -> DatasetSummary:
    """One pass over the records; a field missing from a record counts as a null there."""
    values: dict[str, list[Any]] = {}
    total = 0
    for index, record in enumerate(records):
        total += 1
        for name, value in record.items():
            # A field first seen late was null in every record before it.
            values.setdefault(name, [None] * index).append(value)
        for column in values.values():
            if len(column) < total:
                column.append(None)
    return DatasetSummary(
        records=total, fields={name: _field(column) for name, column in values.items()}
    )


def _field(column: list[Any]) -> FieldSummary:
    kinds = Counter(_kind(v) for v in column)
    nulls = kinds.pop("null", 0)
    summary = FieldSummary(count=len(column) - nulls, nulls=nulls, types=dict(kinds))
    numbers = [float(v) for v in column if _kind(v) == "number" and math.isfinite(float(v))]
    if numbers:
        summary.min, summary.max = min(numbers), max(numbers)
        summary.mean = math.fsum(numbers) / len(numbers)
    strings = Counter(v for v in column if isinstance(v, str))
    if strings:
        summary.distinct = len(strings)
        # Ties are broken by value so the same data always gives the same summary.
        summary.top = sorted(strings.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_VALUES]
    return summary


def parse_number(text: str) -> int | float | str:
    """CSV cells are text; ones that read as finite numbers are numbers."""
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        pass
    try:
        number = float(stripped)
    except ValueError:
        return text
    return number if math.isfinite(number) else text
