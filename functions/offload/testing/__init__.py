"""A test kit for an app's own tasks: no AWS, no moto, the real worker path.

In a conftest.py::

    pytest_plugins = ["offload.testing"]

and in a test (`tasks` is this plugin's fixture, a fresh TaskKit each test)::

    def test_welcome_email(tasks):
        tasks.install(app)
        TestClient(app).post("/register", json={"name": "Ada"})
        tasks.drain()
        assert sent == ["ada@example.com"]

Never imported by the Lambda functions: it is for tests (and imports pytest).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from offload.testing.kit import Delivery, MemoryBackend, TaskKit
from offload.testing.queue import Clock, DeadLetter, InMemoryQueue
from offload.testing.rows import MemoryTaskRows

__all__ = [
    "Clock",
    "DeadLetter",
    "Delivery",
    "InMemoryQueue",
    "MemoryBackend",
    "MemoryTaskRows",
    "TaskKit",
    "tasks",
]


@pytest.fixture
def tasks() -> Iterator[TaskKit]:
    """A TaskKit over the global task registry; `tasks.install(app)` sends an app's tasks to
    it, `tasks.drain()` runs them."""
    kit = TaskKit()
    yield kit
    kit.close()
