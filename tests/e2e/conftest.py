"""Where the end-to-end tests send their requests.

With AWS_SAM_STACK_NAME set, the deployed stack's ApiUrl output (as the SAM app templates'
integration tests do); otherwise the local cloud, started from template.yaml on free ports.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from infra.cloud import CloudOptions, LocalCloud
from infra.console import Console


@dataclass(frozen=True)
class Target:
    api_url: str
    # Only the local cloud can show what SES sent.
    outbox: Path | None = None


def _deployed(stack_name: str) -> Target:
    import boto3

    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if "ApiUrl" not in outputs:
        pytest.fail(f"stack {stack_name} has no ApiUrl output")
    return Target(api_url=outputs["ApiUrl"].rstrip("/"))


# Per module, not per session: moto's state is global to the process, so a cloud left running
# would keep polling queues that later tests create.
@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    stack_name = os.environ.get("AWS_SAM_STACK_NAME")
    if stack_name:
        yield _deployed(stack_name)
        return
    outbox = tmp_path_factory.mktemp("outbox")
    options = CloudOptions(port=0, aws_port=0, outbox=outbox)
    with LocalCloud(options, Console(colour=False)) as cloud:
        assert cloud.api_url is not None
        yield Target(api_url=cloud.api_url, outbox=outbox)
