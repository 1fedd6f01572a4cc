"""offload.context: what a running task knows about itself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from offload.context import TaskContext, current_task, running


def test_elapsed_time_is_in_milliseconds_since_the_delivery_was_taken_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    task = TaskContext(
        id="t1",
        name="n",
        attempt=1,
        enqueued_at=datetime.now(UTC),
        correlation_id=None,
        _started=100.0,
    )
    monkeypatch.setattr("offload.context.time.perf_counter", lambda: 101.5)

    assert task.elapsed_ms() == 1500.0


def test_the_current_task_is_known_only_while_it_runs() -> None:
    task = TaskContext(
        id="t1", name="n", attempt=1, enqueued_at=datetime.now(UTC), correlation_id=None
    )

    with running(task):
        assert current_task() is task
    with pytest.raises(LookupError):
        current_task()
