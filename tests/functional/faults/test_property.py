"""Random fault schedules over many tasks and several concurrent pollers: whatever happens, every
accepted task ends somewhere known, and nothing happens twice outside the crash window.

Each task's plan: up to one transient failure and (for a few tasks) one crash after the effect,
in either order; then it succeeds, fails permanently or keeps failing until out of attempts. It
may also be sent twice (a duplicate) and be delayed so that later tasks overtake it (reordering);
the sending order is shuffled too.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from offload.envelope import Envelope
from offload_local.aws.server import MotoServer
from tests.functional.faults.harness import (
    CRASH_LOCK_MILLIS,
    FaultCloud,
    InProcessWorker,
    QueueConfig,
    running_cloud,
    task_id_of,
)
from tests.functional.faults.tasks import Action, FaultSchedule, fault_effect, scheduled

End = Literal["ok", "permanent", "exhaust"]
#: 5 s: a batch slowed down by a loaded machine does not come back while it still runs, and a
#: crashed run's lock (CRASH_LOCK_MILLIS) has expired when its batch comes back. Each crash
#: also sends its batch's unstarted records round again, and a redelivery may be turned away
#: while a lock is held: 8 receives leave room for both.
CONFIG = QueueConfig(visibility_timeout=5, max_receive_count=8)
POLLERS = 4
#: Crashes fail whole batches; a few per run keep innocent bystanders well within maxReceiveCount.
MAX_CRASHES = 2


@dataclass(frozen=True)
class TaskPlan:
    faults: tuple[Action, ...] = ()
    end: End = "ok"
    duplicate: bool = False
    delayed: bool = False

    @property
    def default(self) -> Action:
        defaults: dict[End, Action] = {"ok": "ok", "permanent": "permanent", "exhaust": "transient"}
        return defaults[self.end]


@dataclass(frozen=True)
class Schedule:
    plans: tuple[TaskPlan, ...]
    send_order: tuple[int, ...]

    def __repr__(self) -> str:
        # Hypothesis prints the failing example: a summary reads better than 300 plans.
        faulty = {i: p for i, p in enumerate(self.plans) if p != TaskPlan()}
        return f"Schedule({len(self.plans)} tasks, non-default plans {faulty!r})"


@st.composite
def schedules(draw: st.DrawFn, max_tasks: int = 40) -> Schedule:
    count = draw(st.integers(min_value=3, max_value=max_tasks))
    crashing = draw(st.sets(st.integers(0, count - 1), min_size=1, max_size=MAX_CRASHES))
    plans = []
    for index in range(count):
        faults: list[Action] = ["transient"] if draw(st.booleans()) else []
        if index in crashing:
            faults.insert(draw(st.integers(0, len(faults))), "crash")
        plans.append(
            TaskPlan(
                faults=tuple(faults),
                end=draw(st.sampled_from(["ok", "ok", "ok", "permanent", "exhaust"])),
                duplicate=draw(st.integers(0, 4)) == 0,
                delayed=draw(st.integers(0, 4)) == 0,
            )
        )
    order = draw(st.permutations(range(count)))
    return Schedule(tuple(plans), tuple(order))


def large_schedule(count: int = 300) -> Schedule:
    """The largest run, written out: every kind of fault, spread over the tasks."""
    plans = []
    for i in range(count):
        faults: tuple[Action, ...] = ("transient",) if i % 7 == 3 else ()
        if i in (40, 210):
            faults = ("crash", *faults)
        end: End = "permanent" if i % 97 == 5 else "exhaust" if i % 131 == 17 else "ok"
        plans.append(TaskPlan(faults, end, duplicate=i % 23 == 11, delayed=i % 29 == 13))
    order = list(range(count))
    random.Random(20260101).shuffle(order)
    return Schedule(tuple(plans), tuple(order))


def run(
    cloud: FaultCloud, schedule: FaultSchedule, plan: Schedule
) -> tuple[list[Envelope], InProcessWorker]:
    envelopes = cloud.envelopes(fault_effect, [(f"task-{i}",) for i in range(len(plan.plans))])
    for envelope, task_plan in zip(envelopes, plan.plans, strict=True):
        schedule.plan(envelope.id, task_plan.faults, default=task_plan.default)
    ordered = [envelopes[i] for i in plan.send_order]
    # Accepted as the API accepts them (queued before the response); delayed ones go later.
    now = [e for e in ordered if not plan.plans[envelopes.index(e)].delayed]
    later = [e for e in ordered if plan.plans[envelopes.index(e)].delayed]
    worker = InProcessWorker(remaining_millis=CRASH_LOCK_MILLIS)
    with cloud.pollers(worker, concurrency=POLLERS):
        if now:
            cloud.enqueue(now)
        for envelope in later:
            cloud.send_raw(envelope.to_body(), delay_seconds=1)
        cloud.record_queued(later)
        for envelope, task_plan in zip(envelopes, plan.plans, strict=True):
            if task_plan.duplicate:
                cloud.send_raw(envelope.to_body())
        cloud.settle(timeout=120)
    return envelopes, worker


def check(
    cloud: FaultCloud,
    schedule: FaultSchedule,
    plan: Schedule,
    envelopes: list[Envelope],
    worker: InProcessWorker,
) -> dict[str, int]:
    ids = [e.id for e in envelopes]
    plans = dict(zip(ids, plan.plans, strict=True))
    statuses = cloud.statuses(ids)
    dead = cloud.dead_letters()
    dead_ids = Counter(task_id_of(m["Body"]) for m in dead)
    deliveries = Counter(d.message_id for d in worker.deliveries)
    assert worker.unexpected == []

    # Every accepted id ends succeeded, failed with a reason, or in the dead-letter queue
    for task_id in ids:
        status = statuses[task_id]
        assert status is not None, task_id
        ended = status.status == "succeeded" or (status.status == "failed" and status.reason)
        # A string, shown whole: each delivery of a task that ended nowhere says where it went.
        lost = f"{status!r}, {plans[task_id]!r}, {worker.deliveries_of(task_id)!r}"
        assert ended or dead_ids[task_id], lost
        if plans[task_id].end == "ok":
            assert status.status == "succeeded", (task_id, status, plans[task_id])
        if plans[task_id].end == "permanent":
            assert status.status == "failed", (task_id, status)
            assert status.reason is not None
            assert status.reason.code == "permanent_error"
            assert dead_ids[task_id]
        if plans[task_id].end == "exhaust":
            assert dead_ids[task_id], (task_id, status)

    # Each effect at most once per id, but for a crash between the effect and its record
    for task_id in ids:
        assert schedule.effects[task_id] <= 1 + schedule.crashes[task_id], task_id
        if plans[task_id].end == "ok":
            assert schedule.effects[task_id] >= 1, task_id

    # Nothing in the DLQ without a permanent cause or exhausted retries
    moved_by_sqs = 0
    for message in dead:
        dead_id = task_id_of(message["Body"])
        assert dead_id in plans, message["Body"]
        reason = message.get("MessageAttributes", {}).get("reason", {}).get("StringValue")
        if reason is None:
            # Moved by SQS itself: only after maxReceiveCount deliveries
            assert deliveries[message["MessageId"]] == CONFIG.max_receive_count, message
            moved_by_sqs += 1
        elif reason.startswith("PermanentTaskError"):
            assert plans[dead_id].end == "permanent", (reason, plans[dead_id])
        else:
            exhausted = f"RetriesExhaustedError: gave up after {CONFIG.max_receive_count} attempts"
            assert reason.startswith(exhausted), reason
            assert plans[dead_id].end == "exhaust", (reason, plans[dead_id])

    return {
        "tasks": len(ids),
        "messages": len(ids) + sum(p.duplicate for p in plan.plans),
        "deliveries": len(worker.deliveries),
        "crashes": sum(schedule.crashes.values()),
        "double_effects": sum(1 for i in ids if schedule.effects[i] > 1),
        "succeeded": sum(1 for s in statuses.values() if s and s.status == "succeeded"),
        "failed": sum(1 for s in statuses.values() if s and s.status == "failed"),
        "dead_letters": len(dead),
        "moved_by_sqs": moved_by_sqs,
    }


@settings(
    max_examples=3,
    deadline=None,
    derandomize=True,
    database=None,
    # Each example is a whole system run of seconds: shrinking would repeat dozens of them.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(plan=schedules())
@example(plan=large_schedule())
def test_random_fault_schedules_lose_nothing_and_do_nothing_twice(
    moto_server: MotoServer, figures: Callable[..., None], plan: Schedule
) -> None:
    started = time.monotonic()
    with running_cloud(moto_server, CONFIG) as cloud, scheduled() as schedule:
        envelopes, worker = run(cloud, schedule, plan)
        found: dict[str, float] = dict(check(cloud, schedule, plan, envelopes, worker))
    found["seconds"] = round(time.monotonic() - started, 1)
    figures(
        "property[]",
        "property: {tasks} tasks ({messages} messages), {deliveries} deliveries, {crashes} "
        "crashes, {double_effects} double effects, {succeeded} succeeded, {failed} failed, "
        "{dead_letters} dead letters ({moved_by_sqs} moved by SQS), {seconds} s".format(**found),
        **found,
    )
