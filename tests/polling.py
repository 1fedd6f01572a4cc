"""Waiting for something asynchronous in a test: poll with a deadline, fail clearly, never hang
and never assert on speed."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def poll(check: Callable[[], T | None], timeout: float, interval: float = 0.1) -> T | None:
    """check()'s first truthy answer, asked every `interval` s; None once `timeout` s passed."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


def wait_for(
    what: str, check: Callable[[], T | None], timeout: float = 60, interval: float = 0.1
) -> T:
    """Poll until check() returns something truthy and return it; fail at the deadline."""
    found = poll(check, timeout, interval)
    if found is None:
        pytest.fail(f"{what}: not within {timeout} s")
    return found
