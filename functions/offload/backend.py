"""Where tasks go and wait: the backend a front door (offload.front_door.Offload) builds its
parts from. On AWS: SQS queues, the tasks' rows in DynamoDB, EventBridge Scheduler one-time
schedules, S3 for arguments too large for a message. The test kit has one in memory
(offload.testing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

from offload.config import DEFAULT_QUEUE, Config
from offload.exceptions import ConfigurationError

if TYPE_CHECKING:
    from offload.dead_letters import DeadLetterQueue
    from offload.payloads import PayloadStore
    from offload.queue import TaskQueue
    from offload.registry import TaskRegistry
    from offload.rows import TaskRows
    from offload.schedules import OneTimeSchedules
    from offload.visibility import Visibility


class Backend(Protocol):
    """The parts tasks travel through. Each may be built on first use."""

    @property
    def rows(self) -> TaskRows: ...

    @property
    def queues(self) -> Mapping[str, TaskQueue]:
        """Every queue this function may send to, by the name tasks give it."""
        ...

    @property
    def schedules(self) -> OneTimeSchedules: ...

    @property
    def dead_letters(self) -> DeadLetterQueue: ...

    @property
    def visibility(self) -> Visibility: ...

    @property
    def payloads(self) -> PayloadStore | None: ...


class AwsBackend:
    """The backend a Config describes; every client made on first use (offload.clients)."""

    def __init__(
        self, config: Config, registry: TaskRegistry, clock: Callable[[], datetime]
    ) -> None:
        from offload.clients import AwsClients

        self._config = config
        self._registry = registry
        self._clock = clock
        #: The clients every part calls through (made on first use).
        self.clients = AwsClients()

    @cached_property
    def rows(self) -> TaskRows:
        from offload.dynamodb import Table
        from offload.rows import DynamoDBTaskRows

        if not self._config.table_name:
            raise ConfigurationError(
                "environment variables not set: OFFLOAD_TABLE_NAME (the tasks' table)"
            )
        return DynamoDBTaskRows(
            Table(self._config.table_name, lambda: self.clients.dynamodb),
            retention=timedelta(seconds=self._config.retention_seconds),
            clock=self._clock,
        )

    @cached_property
    def queues(self) -> Mapping[str, TaskQueue]:
        from offload.queue import SqsTaskQueue

        found: dict[str, TaskQueue] = {}
        for name in {DEFAULT_QUEUE, *self._registry.queues()}:
            url = self._config.queue_url(name)
            if url is not None:
                found[name] = SqsTaskQueue(
                    url,
                    lambda: self.clients.sqs,
                    max_message_bytes=self._config.message_max_bytes,
                    payloads=self.payloads,
                    clock=self._clock,
                )
        return found

    @cached_property
    def schedules(self) -> OneTimeSchedules:
        from offload.schedules import EventBridgeSchedules

        self._config.require_schedules(set())
        return EventBridgeSchedules(
            group=self._config.schedule_group_name,
            role_arn=self._config.scheduler_role_arn,
            queue_arn=self._config.queue_arn,
            registry=self._registry,
            client=lambda: self.clients.scheduler,
        )

    @cached_property
    def dead_letters(self) -> DeadLetterQueue:
        from offload.dead_letters import SqsDeadLetterQueue

        self._config.require_worker()
        return SqsDeadLetterQueue(self._config.dead_letter_queue_url, lambda: self.clients.sqs)

    @cached_property
    def visibility(self) -> Visibility:
        from offload.visibility import SqsVisibility

        return SqsVisibility(lambda: self.clients.sqs)

    @cached_property
    def payloads(self) -> PayloadStore | None:
        from offload.payloads import S3PayloadStore

        if not self._config.payload_bucket_name:
            return None
        return S3PayloadStore(self._config.payload_bucket_name, lambda: self.clients.s3)
