"""Configuration from the environment. Field names are the template's environment variables."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingSettingsError(RuntimeError):
    """Raise when a function starts without a variable it needs (the template sets them all)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, frozen=True)

    # Each function gets only the variables it needs (see template.yaml): which ones each
    # requires is checked once, when its parts are built (app.wiring).
    OFFLOAD_QUEUE_URL: str = ""
    #: The queue of heavy work (`@task(..., queue="heavy")`: uploads and their thumbnails).
    OFFLOAD_HEAVY_QUEUE_URL: str = ""
    #: The queues' ARNs, which one-time schedules target (a URL is not a target).
    OFFLOAD_QUEUE_ARN: str = ""
    OFFLOAD_HEAVY_QUEUE_ARN: str = ""
    #: Where tasks due more than 15 minutes ahead wait: the stack's schedule group, and the
    #: role the scheduler sends with (it may only send to the task queues).
    OFFLOAD_SCHEDULE_GROUP_NAME: str = ""
    OFFLOAD_SCHEDULER_ROLE_ARN: str = ""
    OFFLOAD_DEAD_LETTER_QUEUE_URL: str = ""
    #: Dead-letter queues the daily cleanup reports on (every queue's), comma-separated.
    WATCHED_DEAD_LETTER_QUEUE_URLS: str = ""
    DATA_TABLE_NAME: str = ""
    #: The table of the tasks' rows (here the application's own).
    OFFLOAD_TABLE_NAME: str = ""
    #: Where task arguments too large for a message go (here the upload bucket, under payloads/).
    OFFLOAD_PAYLOAD_BUCKET_NAME: str = ""
    SENDER_EMAIL: str = ""
    #: The SES configuration set every email goes through (suppression list, event metrics).
    EMAIL_CONFIGURATION_SET: str = ""
    UPLOAD_BUCKET_NAME: str = ""
    #: How long a task's row is kept after its last change: while it is there, a finished task
    #: is not run again. Must outlast every redelivery and redrive of its message, so the
    #: template sets the dead-letter queue's retention.
    OFFLOAD_RETENTION_SECONDS: int = 14 * 24 * 3600
    #: Deliveries before the worker dead-letters a task itself: the queue's maxReceiveCount.
    OFFLOAD_MAX_ATTEMPTS: int = 5
    #: Task messages above this size carry their arguments in S3 (SQS takes 256 KiB).
    OFFLOAD_MESSAGE_MAX_BYTES: int = 200 * 1024
    #: File records expire from the table with the uploads themselves (the bucket's lifecycle).
    UPLOAD_RETENTION_DAYS: int = 30
    #: Log entries expire from the table after this many days (DynamoDB TTL).
    LOG_RETENTION_DAYS: int = 30
    #: Emails sent to one address in a UTC day, counted when the API accepts the request.
    EMAILS_PER_RECIPIENT_PER_DAY: int = 20
    #: Bytes one user may upload in a UTC day (declared size for presigned uploads).
    UPLOAD_BYTES_PER_USER_PER_DAY: int = 512 * 1024 * 1024
    #: Datasets (POST /process) one user may send in a UTC day.
    DATASETS_PER_USER_PER_DAY: int = 100
    #: Items (POST /items) one user may create in a UTC day.
    ITEMS_PER_USER_PER_DAY: int = 200
    #: Writes (every POST, PUT, PATCH and DELETE) one user may make per second, on average...
    USER_WRITE_RATE_LIMIT: float = 1.0
    #: ...and at once (app/quotas.py: write_rate).
    USER_WRITE_BURST_LIMIT: int = 5
    #: "true" where the SAM CLI runs the function (`sam local`); Lambda never sets it.
    AWS_SAM_LOCAL: str = ""
    #: Under `sam local` only, which runs no JWT authorizer: the service that decides for it
    #: (api/local_authorizer.py; `offload-local sam` serves one). The template declares
    #: it as AWS::NoValue, so a deployed function never has it; and it counts only with
    #: AWS_SAM_LOCAL.
    SAM_LOCAL_AUTHORIZER_URL: str = ""

    @property
    def under_sam_local(self) -> bool:
        """Whether the SAM CLI runs this function (exactly its "true"; anything else is not)."""
        return self.AWS_SAM_LOCAL == "true"

    def sam_local_authorizer_url(self) -> str | None:
        """Where the API asks for the JWT authorizer's decision on a request no authorizer has
        seen: under `sam local`, if the service is named; None everywhere else, AWS included."""
        if not self.under_sam_local:
            return None
        return self.SAM_LOCAL_AUTHORIZER_URL or None

    def require(self, *names: str) -> None:
        """Raise MissingSettingsError naming every one of `names` that is empty."""
        missing = [name for name in names if not getattr(self, name)]
        if missing:
            raise MissingSettingsError(
                f"environment variables not set: {', '.join(missing)} (template.yaml sets them)"
            )


@cache
def get_settings() -> Settings:
    return Settings()
