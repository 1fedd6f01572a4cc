"""What the console looks at: the running local cloud, or a deployed stack, seen the same way
(its outputs and resources, and clients for its account), and the errors an operator can act on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from offload_local.aws.endpoint import AwsEndpoint, Clients
from offload_local.errors import InfraError
from offload_local.state import read_state
from offload_local.template.translation import DEFAULT_REGION

#: The worker's POWERTOOLS_METRICS_NAMESPACE (template.yaml, Globals).
NAMESPACE = "Offload"


class ConsoleError(InfraError):
    """Raise with a message for the page: what went wrong and what to do about it."""

    def __init__(self, message: str, status: int = 502) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class StackView:
    """A stack as DescribeStacks and ListStackResources show it."""

    name: str
    region: str
    kind: str  # "local" or "deployed"
    outputs: Mapping[str, str]
    #: logical id -> (resource type, physical id)
    resources: Mapping[str, tuple[str, str]]

    def of_type(self, resource_type: str) -> dict[str, str]:
        """Physical ids of the stack's resources of a type, by logical id."""
        return {
            logical_id: physical
            for logical_id, (kind, physical) in self.resources.items()
            if kind == resource_type
        }

    def output(self, name: str) -> str:
        try:
            return self.outputs[name]
        except KeyError:
            raise ConsoleError(
                f"stack {self.name} has no {name} output: is it this project's template?"
            ) from None


class Target:
    """Where the console reads: clients for the account, and the stack (looked up again at
    most every `ttl` seconds)."""

    def __init__(self, clients: Clients, describe: Callable[[], StackView], ttl: float = 30):
        self.clients = clients
        self._describe = describe
        self._ttl = ttl
        self._lock = threading.Lock()
        self._view: StackView | None = None
        self._at = 0.0

    def view(self) -> StackView:
        with self._lock:
            if self._view is None or time.monotonic() - self._at > self._ttl:
                self._view = self._describe()
                self._at = time.monotonic()
            return self._view

    def client(self, service: str) -> Any:
        return self.clients.client(service)


def local_target(
    state_file: Path, aws_endpoint: str | None = None, region: str = DEFAULT_REGION
) -> Target:
    """The local cloud `make dev` runs, found through its state file (read when needed: the
    console may start first, and says so until the cloud runs)."""

    def describe() -> StackView:
        try:
            state = read_state(state_file)
        except InfraError as exc:
            raise ConsoleError(f"{exc}", status=503) from None
        return StackView(
            name=state.stack_name,
            region=state.region,
            kind="local",
            outputs=state.outputs,
            resources={k: (v[0], v[1]) for k, v in state.resources.items()},
        )

    clients: Clients = (
        AwsEndpoint(aws_endpoint, region) if aws_endpoint else _LazyLocalEndpoint(state_file)
    )
    return Target(clients, describe)


@dataclass
class _LazyLocalEndpoint:
    """The local cloud's endpoint, read from its state file when first needed."""

    state_file: Path
    _endpoint: AwsEndpoint | None = field(default=None, init=False)

    def client(self, service: str) -> Any:
        if self._endpoint is None:
            try:
                state = read_state(self.state_file)
            except InfraError as exc:
                raise ConsoleError(f"{exc}", status=503) from None
            self._endpoint = AwsEndpoint(state.aws_endpoint, state.region)
        return self._endpoint.client(service)


class _Account:
    """Clients of the operator's own account (boto3's credential chain), for one region."""

    def __init__(self, region: str | None) -> None:
        import boto3

        self._session = boto3.session.Session(region_name=region)
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    @property
    def region(self) -> str | None:
        return self._session.region_name

    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config

                try:
                    self._clients[service] = self._session.client(
                        service,  # type: ignore[call-overload]
                        config=Config(retries={"max_attempts": 3, "mode": "standard"}),
                    )
                except Exception as exc:
                    raise explain(exc) from exc
            return self._clients[service]


def deployed_target(stack_name: str, region: str | None = None) -> Target:
    """A stack deployed with `sam deploy`, read with the operator's credentials."""
    account = _Account(region)

    def describe() -> StackView:
        cloudformation = account.client("cloudformation")
        try:
            stack = cloudformation.describe_stacks(StackName=stack_name)["Stacks"][0]
            resources: dict[str, tuple[str, str]] = {}
            for page in cloudformation.get_paginator("list_stack_resources").paginate(
                StackName=stack_name
            ):
                for resource in page["StackResourceSummaries"]:
                    resources[resource["LogicalResourceId"]] = (
                        resource["ResourceType"],
                        resource.get("PhysicalResourceId", ""),
                    )
        except Exception as exc:
            raise explain(exc, stack_name, account.region) from exc
        return StackView(
            name=stack_name,
            region=str(account.region),
            kind="deployed",
            outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
            resources=resources,
        )

    return Target(account, describe)


def explain(exc: BaseException, stack: str | None = None, region: str | None = None) -> Exception:
    """An AWS error as a sentence an operator can act on."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    if isinstance(exc, ConsoleError):
        return exc
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return ConsoleError(
            "No AWS credentials found: the console reads a deployed stack with your own "
            "(set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY).",
            status=401,
        )
    if isinstance(exc, NoRegionError):
        return ConsoleError("No AWS region: pass --region or set AWS_REGION.", status=400)
    if isinstance(exc, EndpointConnectionError):
        return ConsoleError(f"AWS could not be reached: {exc}", status=503)
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = str(error.get("Code", "")), str(error.get("Message", ""))
        if stack and code == "ValidationError" and "does not exist" in message:
            return ConsoleError(
                f"There is no stack {stack!r} in region {region or 'default'}: check the name "
                "(sam deploy's stack_name) and --region.",
                status=404,
            )
        if code in ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation"):
            return ConsoleError(f"Your AWS credentials may not do this: {message}", status=403)
        if code in ("ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"):
            return ConsoleError(f"Your AWS credentials were refused: {message}", status=401)
        return ConsoleError(f"AWS answered {code}: {message}")
    return ConsoleError(f"{type(exc).__name__}: {exc}")
