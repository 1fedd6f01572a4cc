"""A real moto server on a free 127.0.0.1 port, helpers to write small test templates, and the
console looking at template.yaml's stack in moto's in-process backends."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from offload_local.provision.deployment import Deployment
from offload_local.state import offload_variables
from offload_local.webconsole.stack import StackView, Target
from tests.moto_aws import IN_PROCESS, use_fake_credentials
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


@pytest.fixture
def in_process_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Deployment]:
    """template.yaml's stack, provisioned by the local cloud's provisioners into moto's
    in-process backends (tests/moto_aws.py), its data cleared."""
    use_fake_credentials(monkeypatch)
    with IN_PROCESS.running() as deployment:
        yield deployment


@pytest.fixture
def local_console(in_process_stack: Deployment) -> Target:
    """What the console reads of that stack, as it reads the running local cloud: the stack's
    outputs, resources and functions' variables (the state file's), and clients of its
    endpoint."""
    stack = in_process_stack
    view = StackView(
        name=stack.stack.name,
        region=stack.stack.region,
        kind="local",
        outputs={name: str(value) for name, value in stack.outputs.items()},
        resources={lid: (r.type, str(r.ref)) for lid, r in stack.registry.items()},
        functions={lid: offload_variables(f.variables) for lid, f in stack.functions.items()},
    )
    return Target(stack.aws, lambda: view)
