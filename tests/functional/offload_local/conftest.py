"""A real moto server on a free 127.0.0.1 port, and helpers to write small test templates."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from tests.polling import wait_for

T = TypeVar("T")


@pytest.fixture
def aws(moto_server: MotoServer) -> AwsEndpoint:
    # The module shares one server: every test starts from an empty account.
    moto_server.reset()
    return AwsEndpoint(moto_server.url, "us-east-1")


@pytest.fixture
def write_template(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "template.yaml"
        path.write_text(textwrap.dedent(text))
        return path

    return write


def eventually(check: Callable[[], T | None], timeout: float = 20, interval: float = 0.1) -> T:
    """wait_for, named by the check's docstring."""
    return wait_for(check.__doc__ or repr(check), check, timeout, interval)
