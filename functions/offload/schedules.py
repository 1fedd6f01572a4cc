"""Tasks due more than 15 minutes ahead: an EventBridge Scheduler one-time schedule each, which
puts the task's envelope on its queue when due and then deletes itself.

A schedule is named after its task's id, in the stack's own schedule group: the API may create
and delete schedules there only, and cancelling a task deletes its schedule by that name. The
scheduler sends with a role that may only send to the task queues.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from offload.exceptions import EnqueueError

if TYPE_CHECKING:
    from offload.envelope import Envelope
    from offload.registry import TaskRegistry

logger = logging.getLogger(__name__)

#: A scheduled envelope travels whole in the schedule's input: arguments are never moved to
#: S3 for it (those expire sooner than a year). Kept under SQS's own message limit.
MAX_SCHEDULED_BODY_BYTES = 200 * 1024


class OneTimeSchedules(Protocol):
    """Where tasks due later than SQS can hold them wait. `send` raises EnqueueError naming
    every task it could not schedule (it takes back the schedules it made); `delete` forgets a
    task's schedule, if it still has one."""

    def send(self, envelopes: Sequence[Envelope]) -> None: ...

    def delete(self, task_id: str) -> None: ...


class SchedulerClient(Protocol):
    """The two calls of boto3's `scheduler` client used here."""

    def create_schedule(self, **request: Any) -> Any: ...

    def delete_schedule(self, **request: Any) -> Any: ...


def at_expression(due: datetime) -> str:
    """EventBridge Scheduler's one-time expression for `due`, in UTC, to the second (never
    early: a fraction of a second rounds up)."""
    second = datetime.fromtimestamp(math.ceil(due.timestamp()), UTC)
    return f"at({second:%Y-%m-%dT%H:%M:%S})"


class EventBridgeSchedules:
    """One-time schedules in one schedule group, each sending its envelope to the queue the
    task's declaration names (`queue_arn`: a queue's name -> its ARN, None if not configured)."""

    def __init__(
        self,
        group: str,
        role_arn: str,
        queue_arn: Callable[[str], str | None],
        registry: TaskRegistry,
        client: Callable[[], SchedulerClient],
    ) -> None:
        self._group = group
        self._role_arn = role_arn
        self._queue_arn = queue_arn
        self._registry = registry
        self._client = client

    def send(self, envelopes: Sequence[Envelope]) -> None:
        created: list[str] = []
        for envelope in envelopes:
            try:
                self._create(envelope)
            except Exception as exc:
                logger.warning("could not schedule task %s: %s", envelope.id, exc)
                # All or nothing, like the request: the schedules made so far are taken back.
                for task_id in created:
                    self.delete(task_id)
                raise EnqueueError(
                    f"could not schedule task {envelope.task}: {type(exc).__name__}: {exc}",
                    [e.id for e in envelopes],
                ) from exc
            created.append(envelope.id)

    def delete(self, task_id: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self._client().delete_schedule(Name=task_id, GroupName=self._group)
        except ClientError as exc:
            # Already fired (and deleted itself), or never made: nothing left to delete.
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
                raise

    def _create(self, envelope: Envelope) -> None:
        if envelope.due_at is None:
            raise ValueError(f"task {envelope.id} has no due time")
        queue = self._registry.get(envelope.task).queue
        arn = self._queue_arn(queue)
        if arn is None:
            raise EnqueueError(f"no ARN is configured for queue {queue!r}", [envelope.id])
        self._client().create_schedule(
            Name=envelope.id,
            GroupName=self._group,
            ScheduleExpression=at_expression(envelope.due_at),
            ScheduleExpressionTimezone="UTC",
            FlexibleTimeWindow={"Mode": "OFF"},
            ActionAfterCompletion="DELETE",
            # A retried create is the same schedule, not a second one.
            ClientToken=envelope.id,
            Target={"Arn": arn, "RoleArn": self._role_arn, "Input": envelope.to_body()},
        )
