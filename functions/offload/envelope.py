"""The message body of one task on the queue: versioned, JSON only, never code."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from offload.exceptions import EnvelopeError


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


class PayloadRef(BaseModel):
    """Where an envelope's arguments are when they were too large for the message."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bucket: str = Field(min_length=3, max_length=63)
    key: str = Field(min_length=1, max_length=1024)


class Envelope(BaseModel):
    """One task to run. `id` is made once at enqueue and is the task's idempotency key."""

    # Unknown fields are refused rather than ignored: a newer producer's field (a payload
    # pointer, say) must not be silently dropped by an older worker.
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = 1
    id: str = Field(default_factory=_new_id, min_length=1, max_length=64)
    task: str = Field(min_length=1, max_length=128)
    args: list[JsonValue] = Field(default_factory=list)
    kwargs: dict[str, JsonValue] = Field(default_factory=dict)
    enqueued_at: datetime = Field(default_factory=_now)
    correlation_id: str | None = Field(default=None, max_length=256)
    #: Who added the task (the API caller's `sub`): the only one who may read its status.
    owner: str | None = Field(default=None, min_length=1, max_length=128)
    #: Set when the arguments are stored in S3; args and kwargs are then empty.
    payload: PayloadRef | None = None

    def to_body(self) -> str:
        # Optional fields are left out when unused, so messages keep the documented shape.
        unused = {name for name in ("owner", "payload") if getattr(self, name) is None}
        return self.model_dump_json(exclude=unused or None)

    @classmethod
    def from_body(cls, body: str) -> Envelope:
        try:
            return cls.model_validate_json(body)
        except ValidationError as exc:
            raise EnvelopeError(f"not a task envelope: {describe(exc)}") from None


def describe(exc: ValidationError) -> str:
    """A validation error in one line, without echoing the (possibly large) input."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)
