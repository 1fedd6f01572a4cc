"""How the application is put together: every collaborator, built from the settings once per
execution environment (on first use, not at import). The API's dependencies (api/deps.py), the
worker's handler, the tasks and the tests all take their parts from here; offload's own parts
come from the front door (app/background.py).

The application table holds every record, told apart by its keys:

| entity | pk | sk |
|---|---|---|
| task (its row: status, lock, result; offload's) | TASK#<id> | STATUS |
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

from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import TYPE_CHECKING

from app import clients
from app.background import background
from app.settings import Settings, get_settings
from app.table import Table

if TYPE_CHECKING:
    from app.datasets import DatasetStore
    from app.email import Mailer
    from app.items import ItemStore
    from app.logs import LogStore
    from app.quotas import DailyQuota, Quota
    from app.search import SearchIndex
    from app.uploads.files import FileStore
    from app.uploads.storage import UploadBucket
    from app.users import UserStore
    from offload.readers import MessageReader

#: What the application's own parts cannot run without (template.yaml sets them; offload
#: checks its OFFLOAD_* variables itself).
API_SETTINGS = ("DATA_TABLE_NAME", "UPLOAD_BUCKET_NAME")
WORKER_SETTINGS = ("DATA_TABLE_NAME", "UPLOAD_BUCKET_NAME")
#: What sending email needs: the worker of quick tasks has them, the heavy one sends none.
MAILER_SETTINGS = ("SENDER_EMAIL", "EMAIL_CONFIGURATION_SET")


class Wiring:
    """The application's parts. Built lazily: a part costs nothing until it is used."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def now(self) -> datetime:
        """The time the quotas count by: a daily quota's UTC day, the write rate's window."""
        return datetime.now(UTC)

    @cached_property
    def table(self) -> Table:
        return Table(self.settings.DATA_TABLE_NAME, clients.dynamodb)

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

        limit = self.settings.EMAILS_PER_RECIPIENT_PER_DAY
        return DailyQuota(self.table, "EMAIL", "emails", limit, self.now)

    @cached_property
    def upload_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        limit = self.settings.UPLOAD_BYTES_PER_USER_PER_DAY
        return DailyQuota(self.table, "UPLOAD", "bytes uploaded", limit, self.now)

    @cached_property
    def dataset_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        limit = self.settings.DATASETS_PER_USER_PER_DAY
        return DailyQuota(self.table, "DATASET", "datasets", limit, self.now, fold_case=False)

    @cached_property
    def item_quota(self) -> DailyQuota:
        from app.quotas import DailyQuota

        limit = self.settings.ITEMS_PER_USER_PER_DAY
        return DailyQuota(self.table, "ITEM", "items", limit, self.now, fold_case=False)

    @cached_property
    def write_rate(self) -> Quota:
        """Every user's writes, each user's own (the API's every POST, PUT, PATCH and DELETE)."""
        from app.quotas import write_rate

        settings = self.settings
        return write_rate(
            self.table, settings.USER_WRITE_RATE_LIMIT, settings.USER_WRITE_BURST_LIMIT, self.now
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


def worker_readers() -> list[MessageReader]:
    """What the worker reads besides task envelopes: the upload bucket's notifications. Called
    on its first invocation, which is also when every task gets registered."""
    import app.tasks  # noqa: F401  (registers every task the worker may be asked to run)
    from app.tasks.uploads import S3UploadReader

    parts = wiring()
    parts.settings.require(*WORKER_SETTINGS)
    # Uploads arrive as the bucket's ObjectCreated notifications, not as envelopes.
    return [S3UploadReader(parts.files, parts.settings.UPLOAD_BUCKET_NAME)]


def reset() -> None:
    """Forget every part, setting and client (the environment changed: between tests)."""
    wiring.cache_clear()
    api_wiring.cache_clear()
    get_settings.cache_clear()
    clients.reset()
    background.reset()
