"""Fixtures every layer uses: the sample events of events/ and a Lambda context."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import pytest

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

# The test kit offload gives its users: the `tasks` fixture (offload.testing).
pytest_plugins = ["offload.testing"]

EVENTS = Path(__file__).resolve().parent.parent / "events"


def load_event(name: str) -> dict[str, Any]:
    """A sample event from events/ (the files `sam local invoke -e` takes), as a fresh copy."""
    event: dict[str, Any] = json.loads((EVENTS / f"{name}.json").read_text())
    return copy.deepcopy(event)


@dataclass
class FakeLambdaContext:
    """The attributes Powertools and Mangum read from the runtime's context object."""

    function_name: str = "test-function"
    memory_limit_in_mb: int = 512
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:123456789012:function:test-function"
    aws_request_id: str = "52fdfc07-2182-154f-163f-5f0f9a621d72"
    log_group_name: str = "/aws/lambda/test-function"
    log_stream_name: str = "2026/11/27/[$LATEST]0123456789abcdef"
    remaining_millis: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_millis


def make_context(**overrides: Any) -> LambdaContext:
    """A context object as the Lambda runtime passes it, typed as handlers declare it."""
    return cast("LambdaContext", FakeLambdaContext(**overrides))


@pytest.fixture
def lambda_context() -> LambdaContext:
    return make_context()


@pytest.fixture
def event() -> Callable[[str], dict[str, Any]]:
    return load_event
