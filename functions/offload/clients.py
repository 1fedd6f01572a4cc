"""The AWS clients offload calls, made on first use and kept for the life of the execution
environment: a cold start that never touches a service does not pay for it, and tests get
clients made after their mocks start.

One retry policy for every call: botocore's standard mode with two attempts in all, and short
timeouts, so that the API's enqueue has a known worst case well under its function's timeout
(README, "Guarantees"): a call that stalls gives up after 2 x (1 s to connect + 2 s to read)
plus at most 1 s of backoff. The code above it sends again only what AWS answered as failed
(a batch's failed entries, a throttled table's unprocessed items), never a whole call.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sqs.client import SQSClient

    from offload.schedules import SchedulerClient

CONNECT_TIMEOUT_SECONDS = 1
READ_TIMEOUT_SECONDS = 2
#: The first call and one retry.
TOTAL_MAX_ATTEMPTS = 2


def client_config() -> Config:
    from botocore.config import Config

    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": TOTAL_MAX_ATTEMPTS},
    )


class AwsClients:
    """boto3 clients, each made once, when first asked for."""

    def _client(self, service: str, **extra: Any) -> Any:
        import boto3

        return boto3.client(service, config=client_config(), **extra)  # type: ignore[call-overload]

    @cached_property
    def sqs(self) -> SQSClient:
        client: SQSClient = self._client("sqs")
        return client

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        client: DynamoDBClient = self._client("dynamodb")
        return client

    @cached_property
    def s3(self) -> S3Client:
        client: S3Client = self._client("s3")
        return client

    @cached_property
    def scheduler(self) -> SchedulerClient:
        client: SchedulerClient = self._client("scheduler")
        return client
