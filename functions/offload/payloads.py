"""Envelopes too large for an SQS message: the arguments go to S3 and the message carries a
pointer. The worker loads them back before anything else looks at the task."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from offload.envelope import Envelope, PayloadRef
from offload.exceptions import PermanentTaskError

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client


class PayloadStore(Protocol):
    def store(self, envelope: Envelope) -> Envelope:
        """Store the arguments; return the envelope that points at them."""
        ...

    def load(self, envelope: Envelope) -> Envelope:
        """Return the envelope with its arguments back in place."""
        ...


class S3PayloadStore:
    """Arguments as JSON objects under a prefix the bucket's lifecycle rule expires."""

    def __init__(
        self, bucket: str, client: Callable[[], S3Client], prefix: str = "payloads/"
    ) -> None:
        self._bucket = bucket
        self._client = client
        self._prefix = prefix

    def store(self, envelope: Envelope) -> Envelope:
        bucket = self._bucket
        if not bucket:
            raise RuntimeError("no payload bucket is configured for large task arguments")
        # Keyed by the task id: a producer retry overwrites the same object.
        key = f"{self._prefix}{envelope.id}.json"
        self._client().put_object(
            Bucket=bucket,
            Key=key,
            Body=json.dumps({"args": envelope.args, "kwargs": envelope.kwargs}).encode(),
            ContentType="application/json",
        )
        return envelope.model_copy(
            update={"args": [], "kwargs": {}, "payload": PayloadRef(bucket=bucket, key=key)}
        )

    def load(self, envelope: Envelope) -> Envelope:
        from botocore.exceptions import ClientError

        ref = envelope.payload
        if ref is None:
            return envelope
        if not ref.key.startswith(self._prefix):
            raise PermanentTaskError(f"payload key {ref.key!r} is outside {self._prefix}")
        try:
            body = self._client().get_object(Bucket=ref.bucket, Key=ref.key)["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"NoSuchKey", "NoSuchBucket"}:
                raise PermanentTaskError(f"payload {ref.key} is gone: {exc}") from None
            raise
        try:
            data = json.loads(body)
            return envelope.model_copy(
                update={"args": data["args"], "kwargs": data["kwargs"], "payload": None}
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentTaskError(f"payload {ref.key} is not valid: {exc}") from None
