"""Plain values as DynamoDB items and back, and the calls the tasks' rows make: one translator
and one conditional-failure check (an application may build its own table access on them, as
the sample application's app.table does).

Numbers become Decimals and boto3's TypeSerializer makes the attribute values; reading back
reverses it. boto3 is imported on first use, never at import: a cold start that touches no table
does not pay for it.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

Item = dict[str, "AttributeValueTypeDef"]

#: BatchWriteItem's limit per call.
MAX_BATCH_WRITE = 25
#: Calls for one batch, the first included, while DynamoDB leaves part of it unprocessed (a
#: throttled table): a table throttled for longer is an outage, which the caller's own error
#: path (a 503 that takes the request back, a retried delivery) handles better than a loop.
BATCH_ATTEMPTS = 6
#: The first resend waits up to this long; each next one up to twice as long (full jitter,
#: as AWS advises for UnprocessedItems): 1.55 s at most in all.
BATCH_BACKOFF_SECONDS = 0.05


class ConditionFailedError(Exception):
    """Raise when a write's condition did not hold. `old` is the item as it was, when asked for
    (ReturnValuesOnConditionCheckFailure), as plain values; None if it did not exist."""

    def __init__(self, old: dict[str, Any] | None) -> None:
        super().__init__("the conditional check failed")
        self.old = old


class UnprocessedError(RuntimeError):
    """Raise when part of a batch was still unprocessed after BATCH_ATTEMPTS calls."""


class MissingSettingError(RuntimeError):
    """Raise when a table's name was never configured."""


class Table:
    """One DynamoDB table. `name` and `client` are resolved on each call, so that a store can be
    built at import time and still find the settings and the (test-replaced) client."""

    def __init__(self, name: str | Callable[[], str], client: Callable[[], DynamoDBClient]):
        self._name = name
        self._client = client

    @property
    def name(self) -> str:
        name = self._name() if callable(self._name) else self._name
        if not name:
            raise MissingSettingError("no table name is configured")
        return name

    # Translation

    @staticmethod
    def item(values: Mapping[str, Any]) -> Item:
        """Plain values (str, int, float, bool, lists, dicts) as DynamoDB attribute values."""
        serializer = _serializer()
        return {k: serializer.serialize(_decimals(v)) for k, v in values.items() if v is not None}

    @staticmethod
    def values(item: Mapping[str, Any]) -> dict[str, Any]:
        """DynamoDB attribute values as plain values (whole Decimals as int, others as float)."""
        deserializer = _deserializer()
        return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}

    # Calls

    def get(self, key: Mapping[str, Any], consistent: bool = False) -> dict[str, Any] | None:
        response = self._client().get_item(
            TableName=self.name, Key=self.item(key), ConsistentRead=consistent
        )
        item = response.get("Item")
        return self.values(item) if item is not None else None

    def update(
        self,
        key: Mapping[str, Any],
        expression: str,
        condition: str | None = None,
        names: Mapping[str, str] | None = None,
        expression_values: Mapping[str, Any] | None = None,
        old_on_failure: bool = False,
    ) -> None:
        """UpdateItem; ConditionFailedError (with the item as it was, if asked) on a failed
        condition."""
        extra: dict[str, Any] = {"UpdateExpression": expression}
        if old_on_failure:
            extra["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        self._call(
            "update_item",
            Key=self.item(key),
            **extra,
            **expression_parameters(condition, names, expression_values),
        )

    def query(
        self,
        condition: str,
        expression_values: Mapping[str, Any],
        projection: str | None = None,
        forward: bool = True,
        limit: int | None = None,
        index: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every item a key condition selects (all pages, or up to `limit`), from the table or
        one of its indexes."""
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": self.item(expression_values),
            "ScanIndexForward": forward,
        }
        if index:
            request["IndexName"] = index
        if projection:
            request["ProjectionExpression"] = projection
        returned = 0
        while True:
            if limit is not None:
                request["Limit"] = limit - returned
            response = self._client().query(**request)
            for item in response.get("Items", []):
                returned += 1
                yield self.values(item)
            if "LastEvaluatedKey" not in response or (limit is not None and returned >= limit):
                return
            request["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def batch_write(
        self,
        puts: Sequence[Mapping[str, Any]] = (),
        deletes: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        """Unconditional puts and deletes, 25 a call, unprocessed ones sent again."""
        requests: list[Any] = [{"PutRequest": {"Item": self.item(v)}} for v in puts]
        requests += [{"DeleteRequest": {"Key": self.item(k)}} for k in deletes]
        for start in range(0, len(requests), MAX_BATCH_WRITE):
            pending: Any = {self.name: requests[start : start + MAX_BATCH_WRITE]}
            for attempt in range(BATCH_ATTEMPTS):
                back_off(attempt)
                response = self._client().batch_write_item(RequestItems=pending)
                pending = response.get("UnprocessedItems")
                if not pending:
                    break
            else:
                raise UnprocessedError(f"writes to {self.name} still unprocessed")

    def _call(self, operation: str, **request: Any) -> None:
        from botocore.exceptions import ClientError

        try:
            getattr(self._client(), operation)(TableName=self.name, **request)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            old: Any = exc.response.get("Item")
            raise ConditionFailedError(self.values(old) if old else None) from None


def back_off(attempt: int) -> None:
    """Before the `attempt`th call of a batch (0: the first, sent at once)."""
    if attempt:
        # Jitter spreads the resends of concurrent callers; it guards no secret.
        time.sleep(random.uniform(0, BATCH_BACKOFF_SECONDS * 2 ** (attempt - 1)))  # noqa: S311


def expression_parameters(
    condition: str | None,
    names: Mapping[str, str] | None,
    values: Mapping[str, Any] | None,
) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if condition:
        request["ConditionExpression"] = condition
    if names:
        request["ExpressionAttributeNames"] = dict(names)
    if values:
        request["ExpressionAttributeValues"] = Table.item(values)
    return request


def _decimals(value: Any) -> Any:
    """JSON values as TypeSerializer takes them: numbers as Decimal (it refuses floats)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_decimals(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


@cache
def _serializer() -> TypeSerializer:
    from boto3.dynamodb.types import TypeSerializer

    return TypeSerializer()


@cache
def _deserializer() -> TypeDeserializer:
    from boto3.dynamodb.types import TypeDeserializer

    return TypeDeserializer()
