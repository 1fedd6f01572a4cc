"""Each task to the queue its declaration names (`@task(..., queue="heavy")`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from offload.config import queue_variable
from offload.exceptions import EnqueueError, UnknownQueueError

if TYPE_CHECKING:
    from offload.envelope import Envelope
    from offload.queue import TaskQueue
    from offload.registry import TaskRegistry

logger = logging.getLogger(__name__)


class QueueRouter:
    """Sends each task to the queue its declaration names (`@task(..., queue="heavy")`).

    Built with the queues the function is configured with, and checked then: a registered
    task naming a queue the function lacks fails loudly at start-up, not at its first send.
    """

    def __init__(self, queues: Mapping[str, TaskQueue], registry: TaskRegistry) -> None:
        missing = {q: t for q, t in registry.queues().items() if q not in queues}
        if missing:
            named = "; ".join(
                f"{q!r} (named by {', '.join(t)}; set {queue_variable(q)})"
                for q, t in missing.items()
            )
            raise UnknownQueueError(
                f"tasks name queues this function is not configured with: {named}; "
                f"configured: {', '.join(sorted(queues)) or 'none'}"
            )
        self._queues = dict(queues)
        self._registry = registry

    def send(self, envelopes: Sequence[Envelope]) -> None:
        groups: dict[str, list[Envelope]] = {}
        for envelope in envelopes:
            groups.setdefault(self._registry.get(envelope.task).queue, []).append(envelope)
        refused: list[str] = []
        reasons: list[str] = []
        for name, group in groups.items():
            try:
                self._queues[name].send(group)
            except EnqueueError as exc:
                refused += exc.task_ids
                reasons.append(f"{name}: {exc}")
            except Exception as exc:
                # Whether any of the group went is unknown: none is reported refused.
                logger.warning("queue %s failed: %s", name, exc)
                reasons.append(f"{name}: {type(exc).__name__}: {exc}")
        if reasons:
            raise EnqueueError("; ".join(reasons), refused)
