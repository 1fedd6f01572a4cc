"""At most one completed run per task id (Powertools idempotency, DynamoDB).

The key is the envelope's id, made once at enqueue, not the SQS message id: a producer retry
and an SQS duplicate carry the same envelope id under different message ids.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from mypy_boto3_dynamodb.client import DynamoDBClient


class Idempotency:
    """Runs an effect once per task id. Behaviour (from Powertools):

    - a completed id returns at once, the effect is not run again;
    - an id still in progress elsewhere raises IdempotencyAlreadyInProgressError, which the
      worker reports as a retry, never as a success;
    - an exception deletes the in-progress record, so the next delivery runs it again;
    - the in-progress lock expires with the invocation (the Lambda context's remaining time), so
      a crashed worker does not block its task until the record's expiry.
    """

    def __init__(
        self,
        table: Callable[[], str],
        client: Callable[[], DynamoDBClient],
        expires_after_seconds: Callable[[], int],
    ) -> None:
        self._table = table
        self._client = client
        self._expires = expires_after_seconds

    @cached_property
    def _config(self) -> IdempotencyConfig:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

        return IdempotencyConfig(event_key_jmespath="id", expires_after_seconds=self._expires())

    @cached_property
    def _once(self) -> Callable[..., Any]:
        # Built on first use: the persistence layer creates a DynamoDB client.
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            idempotent_function,
        )

        persistence = DynamoDBPersistenceLayer(
            table_name=self._table(), boto3_client=self._client()
        )

        @idempotent_function(  # type: ignore[untyped-decorator]
            data_keyword_argument="task", persistence_store=persistence, config=self._config
        )
        def once(task: dict[str, str], effect: Callable[[], None]) -> dict[str, bool]:
            effect()
            return {"done": True}

        run: Callable[..., Any] = once
        return run

    def register_context(self, context: LambdaContext | None) -> None:
        if context is not None:
            self._config.register_lambda_context(context)

    def run(self, task_id: str, task_name: str, effect: Callable[[], None]) -> None:
        self._once(task={"id": task_id, "task": task_name}, effect=effect)
