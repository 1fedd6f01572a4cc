"""Test-only tasks whose behaviour a fault schedule decides, run by run, for each task id.

A *run* is one call of the task function by the worker (a delivery that idempotency turns away
is not a run). The schedule says what each run does, in order; when a task's plan is used up, its
default applies ("ok" unless set). The *effect* stands for the email: counted per task id, it is
what "nothing twice" is about.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Literal

from offload import PermanentTaskError, current_task, task
from offload.retry import Backoff

#: ok: the effect, then return. transient: raise a retryable error before the effect.
#: permanent: raise PermanentTaskError before the effect. crash: the effect, then the process
#: dies (before the worker records completion). hold: wait for `release()`, then the effect.
Action = Literal["ok", "transient", "permanent", "crash", "hold"]

#: Retries come back after 1 s (Backoff's floor) rather than up to 16 s: the tests stay short.
ONE_SECOND = Backoff(base_seconds=1, cap_seconds=1)
HOLD_LIMIT_SECONDS = 30


class Crash(BaseException):
    """Raise to end an invocation as a killed process would: no `except Exception` sees it, so
    nothing after it runs (no status, no idempotency record completed or released)."""


class TransientFault(ConnectionError):
    """Raise for a failure worth retrying, as a throttle or a dropped connection would be."""


class FaultSchedule:
    """Per task id: the planned actions, the runs made, the effects and crashes that happened."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[str, deque[Action]] = {}
        self._defaults: dict[str, Action] = {}
        self._released = threading.Event()
        self.runs: Counter[str] = Counter()
        self.effects: Counter[str] = Counter()
        self.crashes: Counter[str] = Counter()

    def plan(self, task_id: str, actions: Iterable[Action] = (), default: Action = "ok") -> None:
        with self._lock:
            self._plans[task_id] = deque(actions)
            self._defaults[task_id] = default

    def set_default(self, task_id: str, default: Action) -> None:
        """Change what runs do from now on (a fix deployed, say)."""
        with self._lock:
            self._defaults[task_id] = default

    def release(self) -> None:
        """Let every held run go on."""
        self._released.set()

    def run(self, task_id: str, label: str) -> None:
        with self._lock:
            plan = self._plans.get(task_id)
            action = plan.popleft() if plan else self._defaults.get(task_id, "ok")
            self.runs[task_id] += 1
        if action == "transient":
            raise TransientFault(f"transient fault in {label}")
        if action == "permanent":
            raise PermanentTaskError(f"permanent fault in {label}")
        if action == "hold" and not self._released.wait(HOLD_LIMIT_SECONDS):
            raise TransientFault(f"{label} was held for {HOLD_LIMIT_SECONDS} s: never released")
        with self._lock:
            self.effects[task_id] += 1
            if action == "crash":
                self.crashes[task_id] += 1
        if action == "crash":
            raise Crash(f"{label} crashed after its effect")


_active: list[FaultSchedule] = []


@contextmanager
def scheduled() -> Iterator[FaultSchedule]:
    """A fresh schedule that the fault tasks follow until the block ends."""
    schedule = FaultSchedule()
    _active.append(schedule)
    try:
        yield schedule
    finally:
        _active.remove(schedule)


def active() -> FaultSchedule:
    if not _active:
        raise RuntimeError("a fault task ran outside of a fault schedule")
    return _active[-1]


@task("fault_effect", backoff=ONE_SECOND)
def fault_effect(label: str) -> None:
    """One effect, counted by task id, with the fault the schedule has planned for this run."""
    active().run(current_task().id, label)


def labels(count: int) -> list[tuple[str]]:
    """Arguments for `count` fault_effect tasks: task-0, task-1, ..."""
    return [(f"task-{i}",) for i in range(count)]
