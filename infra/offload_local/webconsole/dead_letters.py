"""Dead letters as an operator reads them (their reasons, and what each message is), and putting
them back or throwing them away: with offload_local/queues' code, as `offload-local
redrive` does."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from offload_local.errors import InfraError
from offload_local.queues.listing import QueueInfo, list_queues, peek, source_of
from offload_local.queues.redrive import discard, redrive, start_redrive
from offload_local.webconsole.stack import ConsoleError, Target, explain

#: Messages shown per dead-letter queue.
LIMIT = 100
_PREVIEW = 500
#: The attributes the worker puts on a dead letter (offload/dead_letters.py).
REASON_ATTRIBUTES = (
    "reason_code",
    "reason",
    "failed_at",
    "task",
    "task_id",
    "source_message_id",
    "receive_count",
)


def dead_letters(target: Target) -> list[dict[str, Any]]:
    """Each dead-letter queue of the stack, with its messages (left in place)."""
    try:
        queues = _queues(target)
        return [
            {
                "name": queue.name,
                "source": source.name if (source := _source(queue, queues)) else None,
                "messages": [describe(m) for m in peek(target.clients, queue, LIMIT)],
            }
            for queue in queues
            if queue.is_dead_letter_queue
        ]
    except Exception as exc:
        raise explain(exc) from exc


def describe(message: dict[str, Any]) -> dict[str, Any]:
    """A dead letter: id, when, how often received, its reasons, and what the body is."""
    system = message.get("Attributes", {})
    attributes = {
        name: value.get("StringValue")
        for name, value in message.get("MessageAttributes", {}).items()
        if name in REASON_ATTRIBUTES
    }
    body = str(message.get("Body", ""))
    sent = int(system.get("SentTimestamp", "0")) / 1000
    return {
        "message_id": message["MessageId"],
        "sent_at": datetime.fromtimestamp(sent, UTC).isoformat() if sent else None,
        "receive_count": int(system.get("ApproximateReceiveCount", "0")),
        "attributes": attributes,
        "task_id": attributes.get("task_id") or _envelope_field(body, "id"),
        "task": attributes.get("task") or _envelope_field(body, "task"),
        "body_kind": body_kind(body),
        "body": body if len(body) <= _PREVIEW else body[:_PREVIEW] + "...",
    }


def body_kind(body: str) -> str:
    """What a message body is: a task envelope, an S3 notification, or what is wrong with it."""
    try:
        value = json.loads(body)
    except ValueError:
        return "not a task envelope: the body is not JSON"
    if isinstance(value, dict) and {"v", "id", "task"} <= set(value):
        return "task envelope"
    if isinstance(value, dict) and "Records" in value:
        return "S3 notification"
    return "not a task envelope: JSON without v, id and task"


def redrive_messages(
    target: Target, queue_name: str, message_ids: Sequence[str] | None
) -> dict[str, Any]:
    """Back to the source queue: the messages named, or all of them. On a deployed stack, all of
    them go through SQS's message move task, as `offload-local redrive --stack` does."""
    queues = _queues(target)
    dead_letter = _named(queues, queue_name)
    view = target.view()
    try:
        if message_ids is None and view.kind == "deployed":
            return {"started": start_redrive(target.client("sqs"), dead_letter)}
        source = source_of(dead_letter, queues, None)
        moved = redrive(target.clients, dead_letter, source, message_ids)
    except InfraError as exc:
        raise ConsoleError(str(exc), status=409) from exc
    except Exception as exc:
        raise explain(exc) from exc
    if message_ids is not None and moved < len(set(message_ids)):
        raise ConsoleError(
            f"moved {moved} of {len(set(message_ids))}: the others are no longer in "
            f"{dead_letter.name} (redriven or deleted meanwhile)",
            status=409,
        )
    return {"moved": moved, "to": source.name}


def delete_messages(target: Target, queue_name: str, message_ids: Sequence[str]) -> dict[str, Any]:
    if not message_ids:
        raise ConsoleError("name the messages to delete", status=400)
    dead_letter = _named(_queues(target), queue_name)
    try:
        deleted = discard(target.clients, dead_letter, message_ids)
    except Exception as exc:
        raise explain(exc) from exc
    return {"deleted": deleted}


def _queues(target: Target) -> list[QueueInfo]:
    return list_queues(target.clients, list(target.view().of_type("AWS::SQS::Queue").values()))


def _named(queues: list[QueueInfo], name: str) -> QueueInfo:
    for queue in queues:
        if queue.name == name and queue.is_dead_letter_queue:
            return queue
    raise ConsoleError(f"{name!r} is not a dead-letter queue of this stack", status=404)


def _source(queue: QueueInfo, queues: list[QueueInfo]) -> QueueInfo | None:
    try:
        return source_of(queue, queues, None)
    except InfraError:
        return None


def _envelope_field(body: str, name: str) -> str | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return str(value[name]) if isinstance(value, dict) and name in value else None
