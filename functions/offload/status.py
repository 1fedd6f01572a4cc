"""Where each task stands, by id: queued, running, retrying, succeeded, failed (a permanent
error) or dead_lettered (out of attempts), with attempts, timestamps and the last reason."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Literal, Protocol

from pydantic import BaseModel, Field

from offload.exceptions import TaskCancelledError
from offload.reasons import Reason

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

    from offload.envelope import Envelope

logger = logging.getLogger(__name__)

State = Literal[
    "queued", "running", "retrying", "succeeded", "failed", "dead_lettered", "cancelled"
]
#: What a task's run came to: a state it is recorded in, or `rejected` (recorded `failed`, but
#: counted apart in metrics: the user's input, not an operator's problem).
Outcome = State | Literal["rejected"]
FINAL_STATES: frozenset[str] = frozenset({"succeeded", "failed", "dead_lettered", "cancelled"})


class TaskStatus(BaseModel):
    id: str
    task: str
    status: State
    attempts: int = 0
    enqueued_at: datetime | None = None
    updated_at: datetime
    reason: Reason | None = None
    #: Who added the task (the caller's `sub`): only they may read it. Never serialised.
    owner: str | None = Field(default=None, exclude=True)


class StatusStore(Protocol):
    def queued(self, envelopes: Sequence[Envelope]) -> None: ...

    def cancel(self, envelopes: Sequence[Envelope]) -> None: ...

    def update(
        self,
        task_id: str,
        task: str,
        status: State,
        reason: Reason | None = None,
        started: bool = False,
        enqueued_at: datetime | None = None,
        owner: str | None = None,
    ) -> None: ...

    def get(self, task_id: str) -> TaskStatus | None: ...


class DynamoStatusStore:
    """Status rows in a DynamoDB table keyed (pk, sk) = ("TASK#<id>", "STATUS"), with a TTL."""

    def __init__(
        self,
        table: Callable[[], str],
        client: Callable[[], DynamoDBClient],
        retention: timedelta = timedelta(days=14),
    ) -> None:
        self._table = table
        self._client = client
        self._retention = retention

    def queued(self, envelopes: Sequence[Envelope]) -> None:
        """Record tasks that are on the queue (called only after SQS accepted them)."""
        self._put_new(envelopes, "queued")

    def cancel(self, envelopes: Sequence[Envelope]) -> None:
        """Tasks SQS took for a request that was answered 503 (it refused their partners): SQS
        cannot give a message back, so the worker is told not to run them. A task the worker
        has already started is left alone."""
        self._put_new(envelopes, "cancelled")

    def _put_new(self, envelopes: Sequence[Envelope], status: State) -> None:
        from botocore.exceptions import ClientError

        now = datetime.now(UTC)
        for envelope in envelopes:
            try:
                self._client().put_item(
                    TableName=self._table(),
                    Item=_key(envelope.id)
                    | {
                        "task": {"S": envelope.task},
                        "status": {"S": status},
                        "attempts": {"N": "0"},
                        "enqueued_at": {"S": envelope.enqueued_at.isoformat()},
                        "updated_at": {"S": now.isoformat()},
                        "expires_at": {"N": str(int((now + self._retention).timestamp()))},
                    }
                    | _owner(envelope.owner),
                    # The worker may already have picked the task up: never move it back.
                    ConditionExpression="attribute_not_exists(pk)",
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                    raise

    def update(
        self,
        task_id: str,
        task: str,
        status: State,
        reason: Reason | None = None,
        started: bool = False,
        enqueued_at: datetime | None = None,
        owner: str | None = None,
    ) -> None:
        from botocore.exceptions import ClientError

        now = datetime.now(UTC)
        values: dict[str, AttributeValueTypeDef] = {
            ":task": {"S": task},
            ":status": {"S": status},
            ":now": {"S": now.isoformat()},
            ":expires": {"N": str(int((now + self._retention).timestamp()))},
        }
        expression = "SET task = :task, #s = :status, updated_at = :now, expires_at = :expires"
        if reason is not None:
            expression += ", reason = :reason"
            values[":reason"] = {"S": reason.model_dump_json()}
        # Counted by the worker each time it starts the task, so the figure only grows, even
        # when deliveries overlap.
        if enqueued_at is not None:
            # The worker can get there before the API's "queued" write, which then stands aside.
            expression += ", enqueued_at = if_not_exists(enqueued_at, :enqueued)"
            values[":enqueued"] = {"S": enqueued_at.isoformat()}
        names = {"#s": "status"}
        if owner is not None:
            # From the envelope, for the same reason as enqueued_at.
            expression += ", #o = if_not_exists(#o, :owner)"
            values[":owner"] = {"S": owner}
            names["#o"] = "owner"
        condition: dict[str, str] = {}
        if started:
            expression += " ADD attempts :one"
            values[":one"] = {"N": "1"}
            # Starting is refused for a cancelled task, in the same write.
            condition = {"ConditionExpression": "attribute_not_exists(#s) OR #s <> :cancelled"}
            values[":cancelled"] = {"S": "cancelled"}
        try:
            self._client().update_item(
                TableName=self._table(),
                Key=_key(task_id),
                UpdateExpression=expression,
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
                **condition,  # type: ignore[arg-type]
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise TaskCancelledError(f"task {task_id} was cancelled") from None
            raise

    def get(self, task_id: str) -> TaskStatus | None:
        item = self._client().get_item(TableName=self._table(), Key=_key(task_id)).get("Item")
        if item is None:
            return None
        reason = item.get("reason", {}).get("S")
        return TaskStatus.model_validate(
            {
                "id": task_id,
                "task": item["task"]["S"],
                "status": item["status"]["S"],
                "attempts": int(item["attempts"]["N"]) if "attempts" in item else 0,
                "enqueued_at": item["enqueued_at"]["S"] if "enqueued_at" in item else None,
                "updated_at": item["updated_at"]["S"],
                "reason": Reason.model_validate_json(reason) if reason else None,
                "owner": item["owner"]["S"] if "owner" in item else None,
            }
        )


def _owner(owner: str | None) -> dict[str, AttributeValueTypeDef]:
    return {"owner": {"S": owner}} if owner else {}


def _key(task_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"TASK#{task_id}"}, "sk": {"S": "STATUS"}}
