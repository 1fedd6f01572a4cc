"""The suite's in-process worker must stay the worker: the same pieces as worker.handler wires."""

from __future__ import annotations

from typing import Any

from tests.functional.faults.harness import FaultCloud, InProcessWorker
from worker.handler import consumer

#: Left out on purpose: the Powertools Logger and Metrics are one per process (their keys and
#: metric sets are not per thread) and say nothing about what is delivered or done.
OBSERVABILITY = frozenset({"_log", "_metrics"})


def parts(value: Any) -> dict[str, Any]:
    """The type of each attribute but the observability ones; routes' own parts as well."""
    found: dict[str, Any] = {}
    for name, part in vars(value).items():
        if name in OBSERVABILITY:
            continue
        if isinstance(part, list):
            found[name] = [(type(p), parts(p) if hasattr(p, "__dict__") else None) for p in part]
        else:
            found[name] = type(part)
    return found


def test_the_in_process_worker_has_the_handlers_pieces(fault_cloud: FaultCloud) -> None:
    assert parts(InProcessWorker().new_environment()) == parts(consumer.__wrapped__())
