"""The application's data layer: its records, as pydantic models, in the one DynamoDB table the
tasks' rows share, built on the library's translator and calls (offload.dynamodb): puts with a
condition, deletes, reads of many keys, and the daily sweep's scan.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from offload.dynamodb import (
    BATCH_ATTEMPTS,
    ConditionFailedError,
    UnprocessedError,
    back_off,
    expression_parameters,
)
from offload.dynamodb import Table as _Table

M = TypeVar("M", bound=BaseModel)

__all__ = ["ConditionFailedError", "Record", "Table", "values_of"]


class Record(BaseModel):
    """A model stored as an item of the table: read back, it ignores the item's other
    attributes (its keys, index keys, expiry)."""

    model_config = ConfigDict(extra="ignore")


def values_of(model: BaseModel) -> dict[str, Any]:
    """A model's fields as storable JSON values, hidden fields (`exclude=True`) included."""
    values: dict[str, Any] = model.model_dump(mode="json", exclude_none=True)
    for name, field in type(model).model_fields.items():
        hidden = getattr(model, name)
        if field.exclude and hidden is not None:
            values[name] = hidden
    return values


class Table(_Table):
    """One DynamoDB table, with what the application's stores need beyond the tasks' rows."""

    def model(self, model_type: type[M], item: Mapping[str, Any]) -> M:
        return model_type.model_validate(self.values(item))

    def put(
        self,
        values: Mapping[str, Any],
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        expression_values: Mapping[str, Any] | None = None,
    ) -> None:
        """PutItem; ConditionFailedError when `condition` does not hold."""
        self._call(
            "put_item",
            Item=self.item(values),
            **expression_parameters(condition, names, expression_values),
        )

    def delete(
        self,
        key: Mapping[str, Any],
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        expression_values: Mapping[str, Any] | None = None,
    ) -> None:
        self._call(
            "delete_item",
            Key=self.item(key),
            **expression_parameters(condition, names, expression_values),
        )

    def scan(
        self,
        condition: str,
        expression_values: Mapping[str, Any],
        names: Mapping[str, str] | None = None,
        projection: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item the filter keeps, all pages. A Scan reads the whole table: for a
        periodic sweep, never on a request's path."""
        request: dict[str, Any] = {
            "TableName": self.name,
            **expression_parameters(None, names, expression_values),
            "FilterExpression": condition,
        }
        if projection:
            request["ProjectionExpression"] = projection
        while True:
            response = self._client().scan(**request)
            yield from (self.values(item) for item in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def batch_get(self, keys: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Items by key, in no particular order; missing ones are left out."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), 100):  # BatchGetItem takes 100 keys
            request: Any = {self.name: {"Keys": [self.item(k) for k in keys[start : start + 100]]}}
            for attempt in range(BATCH_ATTEMPTS):
                back_off(attempt)
                response = self._client().batch_get_item(RequestItems=request)
                found += [self.values(i) for i in response.get("Responses", {}).get(self.name, [])]
                request = response.get("UnprocessedKeys")
                if not request:
                    break
            else:
                raise UnprocessedError(f"keys of {self.name} still unprocessed")
        return found
