"""Lambda's rules for what an SQS batch's invocation means for its messages.

AWS documents them under "Success and failure conditions" (Lambda, SQS event source, partial
batch responses). With ReportBatchItemFailures:
  - a null response, an empty object, a missing, null or empty `batchItemFailures`: all succeeded;
  - listed valid ids: those are retried (left on the queue), the others are deleted;
  - an empty or null itemIdentifier, an entry without that key, an id not in the batch, or a
    response of the wrong shape: the whole batch is treated as failed and retried.
Without it the response is ignored: a returning invocation deletes the whole batch.
Any invocation error (exception, timeout, crash) retries the whole batch either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class BatchDecision:
    """Which messages of the batch to delete, which to leave for SQS to redeliver, and why."""

    delete: tuple[str, ...]
    retry: tuple[str, ...]
    reason: str


def decide(
    message_ids: Sequence[str],
    *,
    report_batch_item_failures: bool,
    invocation_failed: bool,
    response: Any = None,
) -> BatchDecision:
    """Apply Lambda's batch-response rules to one invocation's outcome."""
    ids = tuple(message_ids)
    if invocation_failed:
        return _retry_all(ids, "the invocation failed")
    if not report_batch_item_failures:
        return _delete_all(ids, "the invocation returned (FunctionResponseTypes not set)")
    if response is None:
        return _delete_all(ids, "null response")
    if not isinstance(response, dict):
        return _retry_all(ids, f"the response is not an object: {type(response).__name__}")
    failures = response.get("batchItemFailures")
    if failures is None:
        return _delete_all(ids, "no batchItemFailures")
    if not isinstance(failures, list):
        return _retry_all(ids, "batchItemFailures is not a list")
    if not failures:
        return _delete_all(ids, "empty batchItemFailures")
    listed: list[str] = []
    for entry in failures:
        if not isinstance(entry, dict) or "itemIdentifier" not in entry:
            return _retry_all(ids, f"a batchItemFailures entry has no itemIdentifier: {entry!r}")
        identifier = entry["itemIdentifier"]
        if identifier is None or identifier == "":
            return _retry_all(ids, "an itemIdentifier is empty or null")
        if not isinstance(identifier, str) or identifier not in ids:
            return _retry_all(ids, f"itemIdentifier {identifier!r} is not a message of the batch")
        listed.append(identifier)
    retry = tuple(i for i in ids if i in listed)
    delete = tuple(i for i in ids if i not in listed)
    return BatchDecision(delete, retry, f"{len(retry)} reported as failed")


def _delete_all(ids: tuple[str, ...], reason: str) -> BatchDecision:
    return BatchDecision(delete=ids, retry=(), reason=reason)


def _retry_all(ids: tuple[str, ...], reason: str) -> BatchDecision:
    return BatchDecision(delete=(), retry=ids, reason=f"{reason}: whole batch retried")
