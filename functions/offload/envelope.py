"""The message body of one task on the queue: versioned, JSON only, never code."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError

from offload.exceptions import EnvelopeError, NewerEnvelopeError

#: The envelope version this worker writes and reads. Every version ever written stays readable;
#: a newer one waits (retried) for the worker that reads it (README, "Deploys").
VERSION = 1


def _new_id() -> str:
    return uuid.uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


#: Ids of envelopes that come without one (a periodic task's, written in the template) are
#: made from the task's name and its occurrence, in this namespace.
_OCCURRENCE_IDS = uuid.UUID("a3c1f0de-5b0e-4c8e-9d7a-6f2b1e4c8a90")


def occurrence_id(task: str, enqueued_at: str) -> str:
    """The id of one occurrence of a periodic task: every delivery of the scheduler's message
    for that time (a schedule that fires twice included) is the same task."""
    return uuid.uuid5(_OCCURRENCE_IDS, f"{task}@{enqueued_at}").hex


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
    #: When a task added for later is due (it arrives then: SQS's delay or a schedule).
    due_at: datetime | None = None

    def to_body(self) -> str:
        # Optional fields are left out when unused, so messages keep the documented shape.
        unused = {n for n in ("owner", "payload", "due_at") if getattr(self, n) is None}
        return self.model_dump_json(exclude=unused or None)

    @classmethod
    def from_body(cls, body: str) -> Envelope:
        """The envelope a message body holds; EnvelopeError if it holds none this worker reads,
        NewerEnvelopeError if it is of a version newer than this worker knows."""
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise EnvelopeError(f"not a task envelope: {exc}") from None
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: Any) -> Envelope:
        """As from_body, for a body already parsed."""
        if isinstance(data, dict):
            version = data.get("v")
            if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
                raise NewerEnvelopeError(version)
            if "id" not in data and "enqueued_at" in data:
                # A periodic task's envelope is written once, in the template; the scheduler
                # fills in the occurrence's time, from which its id is made.
                data = data | {"id": occurrence_id(str(data.get("task")), str(data["enqueued_at"]))}
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise EnvelopeError(f"not a task envelope: {describe(exc)}") from None


def describe(exc: ValidationError) -> str:
    """A validation error in one line, without echoing the (possibly large) input."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False, include_context=False):
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    return "; ".join(parts)
