"""Where the end-to-end tests send their requests, and as whom.

With AWS_SAM_STACK_NAME set, the deployed stack's ApiUrl output (as the SAM app templates'
integration tests do), called with the ID token in OFFLOAD_TOKEN (the tests are skipped without
one); otherwise the local cloud, started from template.yaml on free ports, whose user pool
issues a token for any address.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from infra.cloud import CloudOptions, LocalCloud
from infra.console import Console

# Who calls the API when a test does not say.
DEFAULT_CALLER = "you@example.com"
TOKEN_VARIABLE = "OFFLOAD_TOKEN"


@dataclass
class Target:
    api_url: str
    # Only the local cloud can show what SES sent.
    outbox: Path | None = None
    # Issues an ID token for (address, admin); a deployed stack's is the one token it was given.
    issue_token: Callable[[str, bool], str] | None = None
    _tokens: dict[tuple[str, bool], str] = field(default_factory=dict, repr=False)

    def token(self, email: str = DEFAULT_CALLER, *, admin: bool = False) -> str:
        """An ID token for the address (tokens last an hour: one per address and module)."""
        if self.issue_token is None:
            pytest.skip("no way to get a token for the API")
        key = (email, admin)
        if key not in self._tokens:
            self._tokens[key] = self.issue_token(email, admin)
        return self._tokens[key]


def _deployed(stack_name: str) -> Target:
    import boto3

    token = os.environ.get(TOKEN_VARIABLE)
    if not token:
        pytest.skip(
            f"{TOKEN_VARIABLE} is not set: an ID token of the stack's user pool (or issuer) is "
            "needed to call its API"
        )
    stack = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    if "ApiUrl" not in outputs:
        pytest.fail(f"stack {stack_name} has no ApiUrl output")
    return Target(api_url=outputs["ApiUrl"].rstrip("/"), issue_token=lambda email, admin: token)


# Per module: each module's tests run against a cloud of their own, stopped with the module.
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

        def issue(email: str, admin: bool) -> str:
            return cloud.token(email, admin=admin)

        yield Target(api_url=cloud.api_url, outbox=outbox, issue_token=issue)
