"""AWS clients, created on first use and cached for the life of the execution environment.

Nothing is created at import: cold starts that never touch a service do not pay for it, and
tests (moto) get clients made after their mocks start.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from botocore.config import Config
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sesv2.client import SESV2Client
    from mypy_boto3_sqs.client import SQSClient

    from app.admins import CognitoClient


def _config() -> Config:
    from botocore.config import Config

    # Short timeouts: the API answers within API Gateway's 29 s, and a stuck call should fail
    # fast into our own retries rather than eat the whole Lambda timeout.
    return Config(
        connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3}
    )


@cache
def sqs() -> SQSClient:
    import boto3

    return boto3.client("sqs", config=_config())


@cache
def sesv2() -> SESV2Client:
    import boto3

    return boto3.client("sesv2", config=_config())


@cache
def dynamodb() -> DynamoDBClient:
    import boto3

    return boto3.client("dynamodb", config=_config())


@cache
def s3() -> S3Client:
    import boto3
    from botocore.config import Config

    # SigV4 for every presigned URL and POST policy: buckets in newer regions refuse SigV2.
    # Virtual-hosted addressing makes presigned links regional (bucket.s3.<region>...): the
    # global name redirects for a new bucket's first hours, and a browser's POST would not
    # follow. An IP endpoint (the local cloud) still gets path-style URLs.
    s3_config = Config(signature_version="s3v4", s3={"addressing_style": "virtual"})
    return boto3.client("s3", config=_config().merge(s3_config))


@cache
def cognito_idp() -> CognitoClient:
    import boto3

    client: CognitoClient = boto3.client("cognito-idp", config=_config())
    return client


def reset() -> None:
    """Forget cached clients (after the environment changed, e.g. between tests)."""
    for getter in (sqs, sesv2, dynamodb, s3, cognito_idp):
        getter.cache_clear()
