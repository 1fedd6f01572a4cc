"""A summary of tabular data: per field, how many values and nulls; for numbers min, max and
mean; for strings the distinct count and the most common values. Pure: no I/O.

The data is a user's: anything this cannot summarise (a number beyond a float, too many fields)
is an InvalidDataError saying why, for that user to read, never a crash to retry.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

TOP_VALUES = 5
#: Fields of a dataset; a summary of more would outgrow the record it is stored in.
MAX_FIELDS = 100
#: A field's name, in characters.
MAX_FIELD_NAME_CHARS = 200
#: Text values are cut to this before counting: the top values are stored with the summary,
#: which DynamoDB caps at 400 KB.
MAX_VALUE_CHARS = 100


class InvalidDataError(ValueError):
    """Raise when data cannot be summarised; the message is for the data's owner to read."""


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
            if name not in values:
                _check_field(name, len(values))
                # A field first seen late was null in every record before it.
                values[name] = [None] * index
            values[name].append(value[:MAX_VALUE_CHARS] if isinstance(value, str) else value)
        for column in values.values():
            if len(column) < total:
                column.append(None)
    return DatasetSummary(
        records=total, fields={name: _field(name, column) for name, column in values.items()}
    )


def _check_field(name: str, known: int) -> None:
    if known >= MAX_FIELDS:
        raise InvalidDataError(f"The data has more than {MAX_FIELDS} fields.")
    if len(name) > MAX_FIELD_NAME_CHARS:
        raise InvalidDataError(f"A field name is longer than {MAX_FIELD_NAME_CHARS} characters.")


def _mean(numbers: list[float]) -> float:
    """The mean of finite numbers, finite itself: each is scaled by the largest magnitude first,
    because even a sum of terms divided by their count can pass float's range inside fsum."""
    scale = max(abs(n) for n in numbers)
    if scale == 0:
        return 0.0
    return scale * (math.fsum(n / scale for n in numbers) / len(numbers))


def _field(name: str, column: list[Any]) -> FieldSummary:
    kinds = Counter(_kind(v) for v in column)
    nulls = kinds.pop("null", 0)
    summary = FieldSummary(count=len(column) - nulls, nulls=nulls, types=dict(kinds))
    finite = (_finite(name, v) for v in column if _kind(v) == "number")
    numbers = [n for n in finite if n is not None]
    if numbers:
        summary.min, summary.max = min(numbers), max(numbers)
        summary.mean = _mean(numbers)
    strings = Counter(v for v in column if isinstance(v, str))
    if strings:
        summary.distinct = len(strings)
        # Ties are broken by value so the same data always gives the same summary.
        summary.top = sorted(strings.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_VALUES]
    return summary


def _finite(name: str, value: int | float) -> float | None:
    """A number as a float; None for NaN and infinities (not numbers one can summarise)."""
    try:
        number = float(value)
    except OverflowError:
        # An integer of hundreds of digits: valid JSON, but no float holds it.
        raise InvalidDataError(
            f"A number in field {name[:40]!r} is too large to summarise."
        ) from None
    return number if math.isfinite(number) else None


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
