"""A small HTTP client for the end-to-end tests: JSON in, status and JSON out, no exceptions for
error statuses (they are what several tests assert)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any, TypeVar

from tests.e2e.conftest import Target
from tests.polling import wait_for

T = TypeVar("T")
DEADLINE_SECONDS = 60


def call(target: Target, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"content-type": "application/json"}
    request = urllib.request.Request(  # noqa: S310 - our own API URL
        f"{target.api_url}{path}", data=data, method=method, headers=headers
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read() or b"null")


def wait_for_tasks(target: Target, task_ids: list[str]) -> list[dict[str, Any]]:
    """Every task's final status, once all of them have one."""

    def finished() -> list[dict[str, Any]] | None:
        statuses = [call(target, "GET", f"/tasks/{task_id}")[1] for task_id in task_ids]
        final = {"succeeded", "failed", "dead_lettered"}
        return statuses if all(s and s.get("status") in final for s in statuses) else None

    return wait_for(f"tasks {task_ids} to finish", finished)
