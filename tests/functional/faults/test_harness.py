"""The suite's in-process worker must stay the worker: the same parts as worker.handler wires."""

from __future__ import annotations

from typing import Any

from app.wiring import wiring
from offload.consumer import TaskConsumer
from offload.hooks import LogContextHook, MetricsHook
from tests.functional.faults.harness import FaultCloud, InProcessWorker
from worker.handler import handler

#: Left out on purpose: the Powertools Logger and Metrics are one per process (their keys and
#: metric sets are not per thread) and say nothing about what is delivered or done.
OBSERVABILITY = (LogContextHook, MetricsHook)


def shape(built: TaskConsumer) -> dict[str, Any]:
    """The type of each part of a consumer, down to its pipeline's hooks and its readers."""
    pipeline = built._pipeline
    return {
        "parts": {name: type(part) for name, part in vars(built).items()},
        "pipeline": {name: type(part) for name, part in vars(pipeline).items()},
        "hooks": [type(h) for h in pipeline.hooks._hooks if not isinstance(h, OBSERVABILITY)],
        "readers": [type(r) for r in built._readers],
    }


def test_the_in_process_worker_has_the_handlers_parts(fault_cloud: FaultCloud) -> None:
    assert wiring()  # the fault cloud's settings are in force
    assert shape(InProcessWorker().new_environment()) == shape(handler.consumer())
