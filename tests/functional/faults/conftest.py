"""Fixtures of the fault suite: moto's server on a free 127.0.0.1 port, the stack's resources in
it, the app's settings pointing there, a fresh fault schedule, and the figures the suite reports.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import app.tasks  # noqa: F401  (the app's tasks, send_email among them, as the worker has them)
from offload_local.aws.server import MotoServer
from tests.functional.faults.harness import FaultCloud, InProcessWorker, QueueConfig, running_cloud
from tests.functional.faults.tasks import FaultSchedule, scheduled

FIGURES = Path(__file__).resolve().parents[3] / ".local" / "fault-figures.json"


@pytest.fixture(autouse=True)
def quiet_logs() -> Iterator[None]:
    """Every failure the suite injects is logged with its traceback; under `pytest -s` that
    would bury the figures. (The Powertools loggers set levels per module, hence disable.)"""
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.fixture
def queue_config() -> QueueConfig:
    """Overridden by a test (indirect parametrisation or a local fixture) that needs others."""
    return QueueConfig()


@pytest.fixture
def fault_cloud(moto_server: MotoServer, queue_config: QueueConfig) -> Iterator[FaultCloud]:
    with running_cloud(moto_server, queue_config) as cloud:
        yield cloud


@pytest.fixture(autouse=True)
def faults() -> Iterator[FaultSchedule]:
    with scheduled() as schedule:
        yield schedule


@pytest.fixture
def worker() -> InProcessWorker:
    return InProcessWorker()


_figures: dict[str, Any] = {}


@pytest.fixture(scope="session")
def figures() -> Iterator[Callable[..., None]]:
    """report(name, line, **values): print the line (seen with -s) and keep the values, which
    end up in .local/fault-figures.json (merged into what earlier runs wrote)."""

    def report(name: str, line: str, **values: Any) -> None:
        print(f"\n[faults] {line}")
        entry = {"line": line, **values}
        if name.endswith("[]"):
            _figures.setdefault(name[:-2], []).append(entry)
        else:
            _figures[name] = entry

    yield report
    if _figures:
        FIGURES.parent.mkdir(parents=True, exist_ok=True)
        known = json.loads(FIGURES.read_text()) if FIGURES.exists() else {}
        FIGURES.write_text(json.dumps(known | _figures, indent=2, sort_keys=True) + "\n")
