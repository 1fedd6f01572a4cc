"""What the console looks at: the running local cloud, or a deployed stack, seen the same way
(its outputs, its resources and its functions' environments, and clients for its account), and
the errors an operator can act on.

offload's parts are found as the library finds them, whatever the template calls them: the
tasks' table is the functions' OFFLOAD_TABLE_NAME, a worker a function with
OFFLOAD_DEAD_LETTER_QUEUE_URL, the worker's metrics in its POWERTOOLS_METRICS_NAMESPACE (else
offload's default); the queues and dead-letter queues are the stack's AWS::SQS::Queue resources.
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

TABLE_VARIABLE = "OFFLOAD_TABLE_NAME"
#: What makes a function a worker: it dead-letters what can never succeed (offload.config).
WORKER_VARIABLE = "OFFLOAD_DEAD_LETTER_QUEUE_URL"
NAMESPACE_VARIABLE = "POWERTOOLS_METRICS_NAMESPACE"


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
    #: logical id of each function -> the variables of its environment
    functions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def of_type(self, resource_type: str) -> dict[str, str]:
        """Physical ids of the stack's resources of a type, by logical id."""
        return {
            logical_id: physical
            for logical_id, (kind, physical) in self.resources.items()
            if kind == resource_type
        }

    def task_tables(self) -> list[str]:
        """The tables of the tasks' rows: every function's OFFLOAD_TABLE_NAME."""
        tables = sorted(
            {v[TABLE_VARIABLE] for v in self.functions.values() if v.get(TABLE_VARIABLE)}
        )
        if not tables:
            raise ConsoleError(
                f"no function of stack {self.name} has {TABLE_VARIABLE}: its tasks have no "
                "table to be read from (the template unit sets it on the API and the worker)",
                status=404,
            )
        return tables

    def metrics_namespaces(self) -> list[str]:
        """Where the workers publish their task metrics: each one's POWERTOOLS_METRICS_NAMESPACE,
        else offload's default."""
        from offload.front_door import METRICS_NAMESPACE

        return sorted(
            {
                variables.get(NAMESPACE_VARIABLE) or METRICS_NAMESPACE
                for variables in self.functions.values()
                if variables.get(WORKER_VARIABLE)
            }
        )


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
    """The running local cloud (`offload-local up`), found through its state file (read when
    needed: the console may start first, and says so until the cloud runs)."""

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
            functions=state.functions,
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
            functions = _environments(account.client("lambda"), resources)
        except Exception as exc:
            raise explain(exc, stack_name, account.region) from exc
        return StackView(
            name=stack_name,
            region=str(account.region),
            kind="deployed",
            outputs={o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])},
            resources=resources,
            functions=functions,
        )

    return Target(account, describe)


def _environments(
    lambda_: Any, resources: Mapping[str, tuple[str, str]]
) -> dict[str, dict[str, str]]:
    """Each function's environment variables, as its configuration says."""
    found: dict[str, dict[str, str]] = {}
    for logical_id, (kind, physical) in resources.items():
        if kind == "AWS::Lambda::Function" and physical:
            configuration = lambda_.get_function_configuration(FunctionName=physical)
            found[logical_id] = dict(configuration.get("Environment", {}).get("Variables", {}))
    return found


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
