"""Where the end-to-end tests send their requests, and as whom.

With AWS_SAM_STACK_NAME set, the deployed stack's ApiUrl output (as the SAM app templates'
integration tests do), called with the ID token in OFFLOAD_TOKEN (the tests are skipped without
one); with OFFLOAD_SAM_LOCAL=1 (`make test-sam-local`), `sam local start-api` in Docker against
the local cloud; otherwise the local cloud, started from template.yaml on free ports. The local
cloud's user pool issues a token for any address. With OFFLOAD_FROM_BUILD=1 (`make test`'s
second e2e pass) the local cloud runs the functions from `sam build`'s output, as deployed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from offload_local.cloud import LocalCloud
from offload_local.console import Console
from offload_local.functions.build import DEFAULT_BUILD_DIR
from tests.repository import REPO_ROOT, on_free_ports
from tests.sam_local import harness

# Who calls the API when a test does not say.
DEFAULT_CALLER = "you@example.com"
TOKEN_VARIABLE = "OFFLOAD_TOKEN"
FROM_BUILD_VARIABLE = "OFFLOAD_FROM_BUILD"


@dataclass
class Target:
    api_url: str
    # Only the local cloud can show what SES sent.
    outbox: Path | None = None
    # Issues an ID token for (address, admin); a deployed stack's is the one token it was given.
    issue_token: Callable[[str, bool], str] | None = None
    #: False where the API cannot receive a binary request body: `sam local start-api` (SAM
    #: CLI 1.170 decodes every HttpApi request body as UTF-8; aws-sam-cli#3110, #7927).
    binary_bodies: bool = True
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


#: The suite exercises features, one caller making many writes in a few seconds; each user's
#: rate of writes is tested where it lives (tests/security/test_fair_use.py). A deployed stack
#: the suite runs against wants these parameters too.
FEATURE_LIMITS = {"UserWriteRateLimit": "100", "UserWriteBurstLimit": "1000"}


# Per module: each module's tests run against a cloud of their own, stopped with the module.
@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    stack_name = os.environ.get("AWS_SAM_STACK_NAME")
    if stack_name:
        yield _deployed(stack_name)
        return
    if harness.enabled():
        yield from _through_sam_local(tmp_path_factory.mktemp("sam-local"))
        return
    outbox = tmp_path_factory.mktemp("outbox")
    build = REPO_ROOT / DEFAULT_BUILD_DIR if os.environ.get(FROM_BUILD_VARIABLE) == "1" else None
    options = replace(on_free_ports(outbox), from_build=build, parameter_overrides=FEATURE_LIMITS)
    with LocalCloud(options, Console(colour=False)) as cloud:
        assert cloud.api_url is not None

        def issue(email: str, admin: bool) -> str:
            return cloud.token(email, admin=admin)

        yield Target(api_url=cloud.api_url, outbox=outbox, issue_token=issue)


def _through_sam_local(folder: Path) -> Iterator[Target]:
    """The local cloud's resources, worker and user pool; the API in the SAM CLI's container."""
    with (
        harness.local_cloud(folder, parameter_overrides=FEATURE_LIMITS) as running,
        harness.sam_start_api(running.state_file, folder / "sam.log") as api,
    ):

        def issue(email: str, admin: bool) -> str:
            return running.cloud.token(email, admin=admin)

        yield Target(api_url=api.url, outbox=running.outbox, issue_token=issue, binary_bodies=False)
