"""Configuration from the environment. Field names are the template's environment variables."""

from __future__ import annotations

from functools import cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class MissingSettingsError(RuntimeError):
    """Raise when a function starts without a variable it needs (the template sets them all)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=True, frozen=True)

    # Each function gets only the variables it needs (see template.yaml): which ones each
    # requires is checked once, when its parts are built (app.wiring). offload reads its own
    # OFFLOAD_* variables (offload.config).
    #: Dead-letter queues the daily cleanup reports on (every queue's), comma-separated.
    WATCHED_DEAD_LETTER_QUEUE_URLS: str = ""
    DATA_TABLE_NAME: str = ""
    #: The stack's own Cognito user pool, which confirms an admin's powers on each request
    #: (app/admins.py). Empty when the API trusts another issuer: then nobody has them.
    USER_POOL_ID: str = ""
    SENDER_EMAIL: str = ""
    #: The SES configuration set every email goes through (suppression list, event metrics).
    EMAIL_CONFIGURATION_SET: str = ""
    UPLOAD_BUCKET_NAME: str = ""
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
