"""What offload reads from the environment: the OFFLOAD_* variables a template sets on the API and
the worker functions (README, "Add it to your app"). Read once, checked once, named in every error.

- OFFLOAD_TABLE_NAME (API, worker): the table of the tasks' rows (keys pk, sk; TTL expires_at).
- OFFLOAD_QUEUE_URL (API): the default task queue, for `@task(...)` without `queue=`;
  OFFLOAD_<NAME>_QUEUE_URL the queue a task names (`queue="heavy"`: OFFLOAD_HEAVY_QUEUE_URL).
- OFFLOAD_QUEUE_ARN, OFFLOAD_<NAME>_QUEUE_ARN, OFFLOAD_SCHEDULE_GROUP_NAME and
  OFFLOAD_SCHEDULER_ROLE_ARN (API, for tasks due more than 15 minutes ahead): the queues'
  ARNs, which one-time schedules target; the group they go in; the role they send with.
- OFFLOAD_DEAD_LETTER_QUEUE_URL (worker): where it sets aside what an operator must look at.
- OFFLOAD_MAX_ATTEMPTS (worker): deliveries before it gives up, the queue's maxReceiveCount (5).
- OFFLOAD_RETENTION_SECONDS (API, worker): how long a row outlives its last change (14 days).
- OFFLOAD_PAYLOAD_BUCKET_NAME (optional): where arguments too large for a message go, under
  payloads/; OFFLOAD_MESSAGE_MAX_BYTES (API, optional) the size above which they go (200 KiB).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from offload.exceptions import ConfigurationError

#: The queue of a task that names none.
DEFAULT_QUEUE = "default"
PREFIX = "OFFLOAD_"
#: OFFLOAD_QUEUE_URL, OFFLOAD_HEAVY_QUEUE_URL, OFFLOAD_QUEUE_ARN, ...: a queue by its name.
_QUEUE_VARIABLE = re.compile(r"^OFFLOAD_(?:(?P<name>[A-Z][A-Z0-9_]*)_)?QUEUE_(?P<kind>URL|ARN)$")
#: The dead-letter queue's variable has the queues' shape, but names no task queue.
_DEAD_LETTER = "OFFLOAD_DEAD_LETTER_QUEUE_URL"


def queue_key(queue: str) -> str:
    """A queue's name as its variables spell it: `bulk-jobs` and `bulk_jobs` are one queue."""
    return queue.lower().replace("-", "_")


def queue_variable(queue: str, kind: str = "URL") -> str:
    """The variable that holds a queue's URL (or ARN): `heavy` -> OFFLOAD_HEAVY_QUEUE_URL."""
    if queue_key(queue) == DEFAULT_QUEUE:
        return f"{PREFIX}QUEUE_{kind}"
    return f"{PREFIX}{queue_key(queue).upper()}_QUEUE_{kind}"


@dataclass(frozen=True)
class Config:
    """offload's settings. `from_environment()` reads the OFFLOAD_* variables; tests build one."""

    table_name: str = ""
    #: Queue name (as queue_key spells it) -> URL, and -> ARN (the ARNs only where tasks are
    #: scheduled far ahead).
    queue_urls: Mapping[str, str] = field(default_factory=dict)
    queue_arns: Mapping[str, str] = field(default_factory=dict)
    dead_letter_queue_url: str = ""
    max_attempts: int = 5
    retention_seconds: int = 14 * 24 * 3600
    schedule_group_name: str = ""
    scheduler_role_arn: str = ""
    payload_bucket_name: str = ""
    message_max_bytes: int = 200 * 1024

    def __post_init__(self) -> None:
        # Frozen all the way down: one Config may serve every request of an environment.
        for name in ("queue_urls", "queue_arns"):
            keyed = {queue_key(q): value for q, value in getattr(self, name).items()}
            object.__setattr__(self, name, MappingProxyType(keyed))
        for name in ("max_attempts", "retention_seconds", "message_max_bytes"):
            if getattr(self, name) < 1:
                raise ConfigurationError(f"{name} must be at least 1, not {getattr(self, name)}")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The settings the OFFLOAD_* variables give; ConfigurationError naming every variable
        whose value is not what it must be."""
        env = os.environ if environ is None else environ
        urls: dict[str, str] = {}
        arns: dict[str, str] = {}
        for variable, value in env.items():
            match = _QUEUE_VARIABLE.match(variable)
            if match is None or variable == _DEAD_LETTER or not value:
                continue
            name = queue_key(match["name"] or DEFAULT_QUEUE)
            (urls if match["kind"] == "URL" else arns)[name] = value
        problems: list[str] = []

        def number(variable: str, default: int) -> int:
            text = env.get(variable, "")
            if not text:
                return default
            try:
                value = int(text)
            except ValueError:
                problems.append(f"{variable}={text!r} is not a whole number")
                return default
            if value < 1:
                problems.append(f"{variable}={text!r} must be at least 1")
                return default
            return value

        defaults = cls()
        config = cls(
            table_name=env.get(f"{PREFIX}TABLE_NAME", ""),
            queue_urls=urls,
            queue_arns=arns,
            dead_letter_queue_url=env.get(_DEAD_LETTER, ""),
            max_attempts=number(f"{PREFIX}MAX_ATTEMPTS", defaults.max_attempts),
            retention_seconds=number(f"{PREFIX}RETENTION_SECONDS", defaults.retention_seconds),
            schedule_group_name=env.get(f"{PREFIX}SCHEDULE_GROUP_NAME", ""),
            scheduler_role_arn=env.get(f"{PREFIX}SCHEDULER_ROLE_ARN", ""),
            payload_bucket_name=env.get(f"{PREFIX}PAYLOAD_BUCKET_NAME", ""),
            message_max_bytes=number(f"{PREFIX}MESSAGE_MAX_BYTES", defaults.message_max_bytes),
        )
        if problems:
            raise ConfigurationError("; ".join(problems))
        return config

    def queue_url(self, queue: str) -> str | None:
        return self.queue_urls.get(queue_key(queue))

    def queue_arn(self, queue: str) -> str | None:
        return self.queue_arns.get(queue_key(queue))

    def require_api(self, queues: set[str]) -> None:
        """What the API side cannot run without: the table, and a URL for every queue a
        registered task names."""
        missing = [] if self.table_name else [f"{PREFIX}TABLE_NAME"]
        missing += [queue_variable(q) for q in sorted(queues) if self.queue_url(q) is None]
        _refuse(missing, "the API")

    def require_worker(self) -> None:
        """What the worker cannot run without: the table and its dead-letter queue."""
        missing = [] if self.table_name else [f"{PREFIX}TABLE_NAME"]
        missing += [] if self.dead_letter_queue_url else [_DEAD_LETTER]
        _refuse(missing, "the worker")

    def require_schedules(self, queues: set[str]) -> None:
        """What tasks due more than 15 minutes ahead need: the schedule group, the scheduler's
        role, and the ARN of each queue they go on."""
        missing = [
            f"{PREFIX}{name}"
            for name, value in (
                ("SCHEDULE_GROUP_NAME", self.schedule_group_name),
                ("SCHEDULER_ROLE_ARN", self.scheduler_role_arn),
            )
            if not value
        ]
        missing += [queue_variable(q, "ARN") for q in sorted(queues) if self.queue_arn(q) is None]
        _refuse(missing, "tasks due more than 15 minutes ahead")


def _refuse(missing: list[str], who: str) -> None:
    if missing:
        raise ConfigurationError(
            f"environment variables not set for {who}: {', '.join(missing)} "
            "(the template sets them: README, 'Add it to your app')"
        )
