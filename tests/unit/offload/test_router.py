"""offload.router: each task to the queue its declaration names, checked when built."""

from __future__ import annotations

from typing import Any

import pytest

from offload import EnqueueError, Envelope
from offload.queue import TaskQueue
from offload.router import QueueRouter
from tests.unit.offload.test_queue import FakeSqs, queue


def test_the_router_sends_each_task_to_the_queue_its_declaration_names() -> None:
    from offload import TaskRegistry

    registry = TaskRegistry()
    registry.register("quick", lambda: None)
    registry.register("thumbnail", lambda: None, queue="heavy")
    default, heavy = FakeSqs(), FakeSqs()
    router = QueueRouter({"default": queue(default), "heavy": queue(heavy)}, registry)

    router.send([Envelope(task="quick"), Envelope(task="thumbnail"), Envelope(task="quick")])

    assert [len(call) for call in default.calls] == [2]
    assert [len(call) for call in heavy.calls] == [1]


@pytest.mark.parametrize(
    ("configured", "listed"), [(("default", "bulk"), "bulk, default"), ((), "none")]
)
def test_a_task_naming_a_queue_the_function_lacks_fails_at_start_up(
    configured: tuple[str, ...], listed: str
) -> None:
    from offload import TaskRegistry
    from offload.exceptions import UnknownQueueError

    registry = TaskRegistry()
    registry.register("thumbnail", lambda: None, queue="heavy")
    registry.register("resize", lambda: None, queue="heavy")
    registry.register("welcome", lambda: None, queue="email")
    with pytest.raises(UnknownQueueError) as caught:
        QueueRouter({name: queue(FakeSqs()) for name in configured}, registry)

    assert str(caught.value) == (
        "tasks name queues this function is not configured with: "
        "'heavy' (named by resize, thumbnail; set OFFLOAD_HEAVY_QUEUE_URL); "
        f"'email' (named by welcome; set OFFLOAD_EMAIL_QUEUE_URL); configured: {listed}"
    )


class FailingQueue:
    def send(self, envelopes: Any) -> None:
        raise RuntimeError("connection reset")


def test_the_router_names_the_tasks_each_queue_refused_and_why() -> None:
    from offload import TaskRegistry

    registry = TaskRegistry()
    for name, queue_name in [("quick", "default"), ("mail", "email"), ("thumbnail", "heavy")]:
        registry.register(name, lambda: None, queue=queue_name)
    registry.register("other", lambda: None, queue="bulk")
    refusing = {i: {"0": True} for i in range(3)}
    queues: dict[str, TaskQueue] = {
        "default": queue(FakeSqs(refuse=refusing)),
        "heavy": queue(FakeSqs(refuse=refusing)),
        "bulk": queue(FakeSqs()),
        "email": FailingQueue(),
    }
    router = QueueRouter(queues, registry)
    quick, mail, heavy = Envelope(task="quick"), Envelope(task="mail"), Envelope(task="thumbnail")

    with pytest.raises(EnqueueError) as refused:
        router.send([quick, Envelope(task="other"), mail, heavy])

    # The group whose fate is unknown (a queue raising) is not reported refused.
    assert refused.value.task_ids == [quick.id, heavy.id]
    assert str(refused.value) == (
        "default: 1 of 1 tasks not queued: InternalError; "
        "email: RuntimeError: connection reset; "
        "heavy: 1 of 1 tasks not queued: InternalError"
    )
