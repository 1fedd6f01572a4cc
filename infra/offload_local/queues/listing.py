"""The queues of a running local cloud: depths, which are dead-letter queues of which, and what
a dead-letter queue holds (without taking it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from offload_local.aws.endpoint import Clients
from offload_local.errors import InfraError
from offload_local.queues.holding import receive, release


@dataclass(frozen=True)
class QueueInfo:
    name: str
    url: str
    arn: str
    visible: int
    in_flight: int
    delayed: int
    dead_letter_target: str | None = None
    # ARNs of queues that send their failures here: a dead-letter queue has some.
    sources: tuple[str, ...] = field(default=())

    @property
    def is_dead_letter_queue(self) -> bool:
        return bool(self.sources)


def list_queues(aws: Clients, urls: Sequence[str] | None = None) -> list[QueueInfo]:
    """Every queue of the endpoint, or the queues at `urls` (a stack's)."""
    sqs = aws.client("sqs")
    if urls is None:
        urls = [
            u
            for page in sqs.get_paginator("list_queues").paginate()
            for u in page.get("QueueUrls", [])
        ]
    raw: list[tuple[str, dict[str, str]]] = []
    for url in urls:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
        raw.append((url, attributes["Attributes"]))
    targets: dict[str, list[str]] = {}
    for _, attributes in raw:
        target = _dead_letter_target(attributes)
        if target:
            targets.setdefault(target, []).append(attributes["QueueArn"])
    return sorted(
        (
            QueueInfo(
                name=attributes["QueueArn"].rsplit(":", 1)[-1],
                url=url,
                arn=attributes["QueueArn"],
                visible=int(attributes.get("ApproximateNumberOfMessages", 0)),
                in_flight=int(attributes.get("ApproximateNumberOfMessagesNotVisible", 0)),
                delayed=int(attributes.get("ApproximateNumberOfMessagesDelayed", 0)),
                dead_letter_target=_dead_letter_target(attributes),
                sources=tuple(targets.get(attributes["QueueArn"], [])),
            )
            for url, attributes in raw
        ),
        key=lambda queue: queue.name,
    )


def _dead_letter_target(attributes: dict[str, str]) -> str | None:
    policy = attributes.get("RedrivePolicy")
    if not policy:
        return None
    target = json.loads(policy).get("deadLetterTargetArn")
    return str(target) if target else None


def dead_letter_queues(aws: Clients, name: str | None = None) -> list[QueueInfo]:
    """The dead-letter queues, or the named queue (which need not be one)."""
    queues = list_queues(aws)
    if name is None:
        return [q for q in queues if q.is_dead_letter_queue]
    chosen = [q for q in queues if name in (q.name, q.url, q.arn)]
    if not chosen:
        known = ", ".join(q.name for q in queues) or "none"
        raise InfraError(f"no queue {name!r} (queues: {known})")
    return chosen


def peek(aws: Clients, queue: QueueInfo, limit: int = 100) -> list[dict[str, Any]]:
    """Messages of a queue, left in place (offload_local.queues.holding): everything seen is
    made visible again at the end."""
    sqs = aws.client("sqs")
    seen: list[dict[str, Any]] = []
    try:
        for messages in receive(sqs, queue.url, hide_seconds=30, limit=limit):
            seen += messages
    finally:
        release(sqs, queue.url, [m["ReceiptHandle"] for m in seen])
    return seen[:limit]


def source_of(dead_letter: QueueInfo, queues: list[QueueInfo], name: str | None) -> QueueInfo:
    """Where a dead-letter queue's messages go back to: the named queue, or its only source."""
    if name is not None:
        for queue in queues:
            if name in (queue.name, queue.url, queue.arn):
                return queue
        raise InfraError(f"no queue {name!r} to redrive to")
    if len(dead_letter.sources) != 1:
        raise InfraError(
            f"{dead_letter.name} is the dead-letter queue of {len(dead_letter.sources)} queues: "
            "choose one with --to"
        )
    for queue in queues:
        if queue.arn == dead_letter.sources[0]:
            return queue
    raise InfraError(f"the source queue {dead_letter.sources[0]} no longer exists")
