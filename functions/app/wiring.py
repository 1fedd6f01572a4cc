"""How the application is put together: every collaborator, built from the settings once per
execution environment (on first use, not at import). The API's dependencies (api/deps.py), the
worker's handler, the tasks and the tests all take their parts from here.

The application table holds every record, told apart by its keys:

| entity | pk | sk |
|---|---|---|
| task (status and idempotency) | TASK#<id> | STATUS |
| item | ITEM#<id> | ITEM |
| search index entry | WORD#<word> | OWNER#<sub>#ITEM#<id> |
| user profile | USER#<sub> | PROFILE |
| dataset and its summary | DATASET#<id> | SUMMARY |
| uploaded file | FILE#<id> | FILE |
| log entry | LOG#<day> | <time>#<id> |
| daily quota | QUOTA#<kind>#<subject> | <day> |
| write rate | QUOTA#WRITES#<sub> | <window start> |
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING

from app import clients
from app.settings import Settings, get_settings
from offload.dynamodb import Table

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics, Tracer

    from app.datasets import DatasetStore
    from app.email import Mailer
    from app.items import ItemStore
    from app.logs import LogStore
    from app.quotas import DailyQuota, Quota
    from app.search import SearchIndex
    from app.uploads.files import FileStore
    from app.uploads.storage import UploadBucket
    from app.users import UserStore
    from offload.consumer import TaskConsumer
    from offload.dead_letter import SqsDeadLetters
    from offload.idempotency import Idempotency
    from offload.payloads import S3PayloadStore
    from offload.queue import QueueRouter, SqsTaskQueue
    from offload.records import TaskRecords
    from offload.scheduler import EventBridgeSchedules

#: What each function cannot run without (template.yaml sets them).
API_SETTINGS = (
    "OFFLOAD_QUEUE_URL",
    "OFFLOAD_HEAVY_QUEUE_URL",
    "DATA_TABLE_NAME",
    "UPLOAD_BUCKET_NAME",
)
#: Each queue a task may name (`@task(..., queue=...)`), by the settings of its URL and ARN.
QUEUE_SETTINGS = {
    "default": ("OFFLOAD_QUEUE_URL", "OFFLOAD_QUEUE_ARN"),
    "heavy": ("OFFLOAD_HEAVY_QUEUE_URL", "OFFLOAD_HEAVY_QUEUE_ARN"),
}
WORKER_SETTINGS = ("DATA_TABLE_NAME", "OFFLOAD_DEAD_LETTER_QUEUE_URL", "UPLOAD_BUCKET_NAME")
#: What sending email needs: the worker of quick tasks has them, the heavy one sends none.
MAILER_SETTINGS = ("SENDER_EMAIL", "EMAIL_CONFIGURATION_SET")


class Wiring:
    """The application's parts. Built lazily: a part costs nothing until it is used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def table(self) -> Table:
        return Table(self.settings.DATA_TABLE_NAME, clients.dynamodb)

    # offload: where tasks go, and how the worker runs them

    @cached_property
    def task_records(self) -> TaskRecords:
        from offload.records import TaskRecords

        return TaskRecords(
            self.settings.OFFLOAD_TABLE_NAME,
            clients.dynamodb,
            retention=timedelta(seconds=self.settings.OFFLOAD_RETENTION_SECONDS),
        )

    @cached_property
    def payloads(self) -> S3PayloadStore:
        from offload.payloads import S3PayloadStore

        # Large arguments share the upload bucket, under a prefix its lifecycle rule expires.
        return S3PayloadStore(
            bucket=lambda: self.settings.OFFLOAD_PAYLOAD_BUCKET_NAME, client=clients.s3
        )

    @cached_property
    def task_queue(self) -> QueueRouter:
        """Each task to the queue its declaration names; checked when built: a task naming a
        queue this function has no URL for stops it here, loudly."""
        import app.tasks  # noqa: F401  (every task, so every queue a task names is checked)
        from offload import registry
        from offload.queue import QueueRouter

        return QueueRouter(
            {
                name: self.sqs_queue(getattr(self.settings, url))
                for name, (url, _) in QUEUE_SETTINGS.items()
                if getattr(self.settings, url)
            },
            registry,
        )

    def sqs_queue(self, url: str) -> SqsTaskQueue:
        from offload.queue import SqsTaskQueue

        return SqsTaskQueue(
            url,
            clients.sqs(),
            max_message_bytes=self.settings.OFFLOAD_MESSAGE_MAX_BYTES,
            payloads=self.payloads,
        )

    @cached_property
    def schedules(self) -> EventBridgeSchedules:
        """One-time schedules for tasks due more than 15 minutes ahead."""
        from offload import registry
        from offload.scheduler import EventBridgeSchedules

        def queue_arns() -> dict[str, str]:
            arns = {n: getattr(self.settings, arn) for n, (_, arn) in QUEUE_SETTINGS.items()}
            return {name: arn for name, arn in arns.items() if arn}

        def setting(name: str) -> str:
            self.settings.require(name)
            return str(getattr(self.settings, name))

        return EventBridgeSchedules(
            group=lambda: setting("OFFLOAD_SCHEDULE_GROUP_NAME"),
            role_arn=lambda: setting("OFFLOAD_SCHEDULER_ROLE_ARN"),
            queue_arns=queue_arns,
            registry=registry,
            client=clients.scheduler,
        )

    @cached_property
    def dead_letters(self) -> SqsDeadLetters:
        from offload.dead_letter import SqsDeadLetters

        return SqsDeadLetters(
            queue_url=lambda: self.settings.OFFLOAD_DEAD_LETTER_QUEUE_URL, client=clients.sqs
        )

    @cached_property
    def idempotency(self) -> Idempotency:
        from offload.idempotency import Idempotency

        return Idempotency(self.task_records, self.settings.OFFLOAD_RETENTION_SECONDS)

    def consumer(
        self,
        log: Logger | None = None,
        metrics: Metrics | None = None,
        tracer: Tracer | None = None,
        time_guard_ms: int = 5_000,
    ) -> TaskConsumer:
        """The worker: every registered task, the upload reader, and the hooks around a run.
        Records are not started with less than `time_guard_ms` left in the invocation."""
        import app.tasks  # noqa: F401  (registers every task the worker may be asked to run)
        from app.tasks.uploads import S3UploadReader
        from offload import registry
        from offload.consumer import TaskConsumer
        from offload.hooks import (
            Hook,
            Hooks,
            IdempotencyHook,
            LogContextHook,
            MetricsHook,
            RecordHook,
            TracingHook,
        )
        from offload.pipeline import RunPolicy, TaskPipeline
        from offload.retry import SqsVisibility

        self.settings.require(*WORKER_SETTINGS)
        hooks: list[Hook] = []
        if log is not None:
            hooks.append(LogContextHook(log))
        if metrics is not None:
            hooks.append(MetricsHook(metrics))
        if tracer is not None:
            # Outside idempotency: the task's subsegment holds its row's writes too.
            hooks.append(TracingHook(tracer))
        hooks += [RecordHook(self.task_records), IdempotencyHook(self.idempotency)]
        pipeline = TaskPipeline(
            registry,
            Hooks(hooks),
            RunPolicy(max_attempts=self.settings.OFFLOAD_MAX_ATTEMPTS),
            self.payloads,
        )
        return TaskConsumer(
            pipeline,
            self.dead_letters,
            SqsVisibility(clients.sqs),
            idempotency=self.idempotency,
            # Uploads arrive as the bucket's ObjectCreated notifications, not as envelopes.
            readers=[S3UploadReader(self.files, self.settings.UPLOAD_BUCKET_NAME)],
            time_guard_ms=time_guard_ms,
        )

    # the application's stores and services

    @cached_property
    def items(self) -> ItemStore:
        from app.items import ItemStore

        return ItemStore(self.table)

    @cached_property
    def search(self) -> SearchIndex:
        from app.search import SearchIndex

        return SearchIndex(self.table)

    @cached_property
    def users(self) -> UserStore:
        from app.users import UserStore

        return UserStore(self.table)

    @cached_property
    def datasets(self) -> DatasetStore:
        from app.datasets import DatasetStore

        return DatasetStore(self.table)

    @cached_property
    def logs(self) -> LogStore:
        from app.logs import LogStore

        return LogStore(self.table, timedelta(days=self.settings.LOG_RETENTION_DAYS))

    @cached_property
    def files(self) -> FileStore:
        from app.uploads.files import FileStore

        # A file's record leaves the table with the upload (the bucket's lifecycle).
        return FileStore(self.table, timedelta(days=self.settings.UPLOAD_RETENTION_DAYS))

    @cached_property
    def bucket(self) -> UploadBucket:
        from app.uploads.storage import UploadBucket

        return UploadBucket(self.settings.UPLOAD_BUCKET_NAME, clients.s3)

    @cached_property
    def email_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        return DailyQuota(self.table, "EMAIL", "emails", self.settings.EMAILS_PER_RECIPIENT_PER_DAY)

    @cached_property
    def upload_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        return DailyQuota(
            self.table, "UPLOAD", "bytes uploaded", self.settings.UPLOAD_BYTES_PER_USER_PER_DAY
        )

    @cached_property
    def dataset_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        limit = self.settings.DATASETS_PER_USER_PER_DAY
        return DailyQuota(self.table, "DATASET", "datasets", limit, fold_case=False)

    @cached_property
    def item_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        limit = self.settings.ITEMS_PER_USER_PER_DAY
        return DailyQuota(self.table, "ITEM", "items", limit, fold_case=False)

    @cached_property
    def write_rate(self) -> Quota:
        """Every user's writes, each user's own (the API's every POST, PUT, PATCH and DELETE)."""
        from app.quotas import write_rate

        settings = self.settings
        return write_rate(
            self.table, settings.USER_WRITE_RATE_LIMIT, settings.USER_WRITE_BURST_LIMIT
        )

    @cached_property
    def mailer(self) -> Mailer:
        from app.email import Mailer

        self.settings.require(*MAILER_SETTINGS)
        return Mailer(
            self.settings.SENDER_EMAIL, self.settings.EMAIL_CONFIGURATION_SET, clients.sesv2
        )


@cache
def wiring() -> Wiring:
    """This execution environment's parts."""
    return Wiring(get_settings())


@cache
def api_wiring() -> Wiring:
    """The parts, once the API's settings are checked (on its first request)."""
    parts = wiring()
    parts.settings.require(*API_SETTINGS)
    return parts


def reset() -> None:
    """Forget every part, setting and client (the environment changed: between tests)."""
    wiring.cache_clear()
    api_wiring.cache_clear()
    get_settings.cache_clear()
    clients.reset()
