"""The local cloud: moto's server, the provisioned stack, and the emulators that run it.

Start-up order puts the checks that can fail first (template, parameters and rules, the
library's template rules, resource types, ports, then the JWT issuers' reachability right after
provisioning), so a mistake is reported before anything runs. Stopping reverses it: pollers
stop polling, function processes are killed (a running batch is then left to its visibility
timeout, as after a crash on Lambda), the gateway closes, then the AWS endpoint.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import DEFAULT_AWS_PORT, MotoServer
from offload_local.console import Console
from offload_local.email.outbox import DEFAULT_OUTBOX, OutboxWatcher
from offload_local.errors import InfraError
from offload_local.event_sources.poller import DEFAULT_CONCURRENCY, SqsPoller
from offload_local.functions.build import from_build, source_files
from offload_local.functions.config import lambda_environment
from offload_local.functions.env_vars import load_env_vars
from offload_local.functions.invocation import Invocation
from offload_local.functions.pool import DEFAULT_MAX_CONCURRENCY, FunctionPool
from offload_local.gateway.authorizer import JwtValidator, jwt_validators
from offload_local.gateway.server import DEFAULT_PORT, Gateway
from offload_local.identity.users import UserPool, demo_users
from offload_local.metrics.emf import MetricExtractor
from offload_local.metrics.sqs import QueueMetricsPublisher, read_queue_metrics
from offload_local.provision import check_supported, provision
from offload_local.provision.deployment import Deployment
from offload_local.scheduler.firing import SchedulerEmulator
from offload_local.serving import bind
from offload_local.state import CloudState, offload_variables
from offload_local.template.lint import check_wiring
from offload_local.template.parameters import local_values_used
from offload_local.template.stack import DEFAULT_STACK_NAME, Stack
from offload_local.template.translation import DEFAULT_REGION, DEFAULT_TEMPLATE, translate


@dataclass(frozen=True)
class CloudOptions:
    """What `offload-local up` can change."""

    template: Path = DEFAULT_TEMPLATE
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    port: int = DEFAULT_PORT
    aws_port: int = DEFAULT_AWS_PORT
    region: str = DEFAULT_REGION
    stack_name: str = DEFAULT_STACK_NAME
    outbox: Path = DEFAULT_OUTBOX
    # Variables that win over the template's, in `sam local invoke --env-vars` format.
    env_vars: Path | None = None
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    prewarm: bool = True
    # False for one-off commands (invoke): the resources exist, nothing polls or serves.
    serve: bool = True
    # An AWS endpoint already running (another local cloud): provision into it, start no moto.
    aws_endpoint: str | None = None
    # A `sam build` folder (.aws-sam/build): the functions run from it, not from the sources.
    from_build: Path | None = None


class LocalCloud:
    """Start with `start()` (or `with LocalCloud(...)`), stop with `stop()`."""

    def __init__(self, options: CloudOptions, console: Console | None = None) -> None:
        self.options = options
        self.console = console or Console()
        self._moto: MotoServer | None = None
        self._deployment: Deployment | None = None
        self._pools: dict[str, FunctionPool] = {}
        self._gateways: list[Gateway] = []
        self._pollers: list[SqsPoller] = []
        self._outbox: OutboxWatcher | None = None
        self._validators: dict[str, dict[str, JwtValidator]] = {}
        self._user_pool: UserPool | None = None
        self._scheduler: SchedulerEmulator | None = None
        self._metrics: MetricExtractor | None = None
        self._queue_metrics: QueueMetricsPublisher | None = None
        self.notes: list[str] = []

    @property
    def deployment(self) -> Deployment:
        if self._deployment is None:
            raise RuntimeError("the local cloud is not started")
        return self._deployment

    @property
    def aws_url(self) -> str:
        return self.deployment.aws.url

    @property
    def api_urls(self) -> dict[str, str]:
        """Local URL of each HTTP API, by logical id."""
        return {g.api.logical_id: g.url for g in self._gateways}

    @property
    def api_url(self) -> str | None:
        return next(iter(self.api_urls.values()), None)

    @property
    def outbox(self) -> OutboxWatcher | None:
        return self._outbox

    @property
    def metrics(self) -> MetricExtractor | None:
        """What turns the functions' EMF log lines into CloudWatch metrics, as on AWS."""
        return self._metrics

    @property
    def pollers(self) -> list[SqsPoller]:
        return list(self._pollers)

    @property
    def scheduler(self) -> SchedulerEmulator:
        """Fires the schedules (moto only stores them) when due; `fire_due(at)` for tests."""
        if self._scheduler is None:
            raise RuntimeError("the local cloud is not serving")
        return self._scheduler

    @property
    def user_pool(self) -> UserPool | None:
        """The Cognito user pool whose tokens the HTTP API accepts, if the template has one."""
        return self._user_pool

    def token(self, email: str, *, admin: bool = False) -> str:
        """A fresh ID token (one hour) for the address, from the template's user pool: the user
        is created with a verified address if need be, and put in the admin group if asked."""
        if self._user_pool is None:
            raise InfraError("the template has no Cognito user pool to issue tokens from")
        return self._user_pool.id_token(email, admin=admin)

    def state(self) -> CloudState:
        """This running cloud's address card, for other commands (offload_local/state.py)."""
        options = self.options
        pool = self._user_pool
        return CloudState(
            pid=os.getpid(),
            aws_endpoint=self.aws_url,
            region=options.region,
            stack_name=options.stack_name,
            template=str(options.template.resolve()),
            api_url=self.api_url,
            outbox=str(options.outbox),
            parameter_overrides=dict(options.parameter_overrides),
            user_pool_id=pool.pool_id if pool else None,
            user_pool_client_id=pool.client_id if pool else None,
            admin_group=pool.admin_group if pool else None,
            outputs={key: str(value) for key, value in self.deployment.outputs.items()},
            resources={
                logical_id: (resource.type, str(resource.ref))
                for logical_id, resource in self.deployment.registry.items()
            },
            functions={
                logical_id: offload_variables(function.variables)
                for logical_id, function in self.deployment.functions.items()
            },
        )

    def start(self) -> None:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        options = self.options
        translated = translate(options.template, options.parameter_overrides, options.region)
        stack = Stack.from_template(
            translated, options.parameter_overrides, options.stack_name, options.region
        )
        check_wiring(stack)
        check_supported(stack)
        api_count = len(translated.of_type("AWS::ApiGatewayV2::Api")) if options.serve else 0
        # Ports are taken before anything starts, so a busy one stops start-up at once.
        sockets = [
            bind(options.port + i if options.port else 0, "HTTP API (--port)")
            for i in range(api_count)
        ]
        try:
            self._provision_and_run(stack, translated.parameters, sockets)
        except BaseException:
            # Sockets a gateway did not take over would stay open until collected.
            for sock in sockets:
                sock.close()
            raise

    def _provision_and_run(
        self,
        stack: Stack,
        declared: Mapping[str, Mapping[str, Any]],
        sockets: list[socket.socket],
    ) -> None:
        options = self.options
        endpoint = options.aws_endpoint or self._start_moto()
        aws = AwsEndpoint(endpoint, stack.region, stack.account_id)
        self._deployment = provision(stack, aws)
        self.notes.extend(self._local_values_notes(declared))
        self.notes.extend(self._deployment.notes)
        self._user_pool = UserPool.of(self._deployment)
        if options.serve:
            # Before any process starts: an issuer that cannot be checked stops start-up.
            self._validators = jwt_validators(self.deployment)
            pool = self._user_pool
            if pool is not None:
                for email, admin in demo_users(pool):
                    pool.ensure_user(email, admin=admin)
        self._start_pools()
        if not options.serve:
            for sock in sockets:
                sock.close()
            return
        self._start_outbox()
        self._start_queue_metrics()
        self._start_gateways(sockets)
        self._start_pollers()
        self._scheduler = SchedulerEmulator(self.deployment.aws, self.console)
        self._scheduler.start()

    def _start_moto(self) -> str:
        self._moto = MotoServer(self.options.aws_port)
        self._moto.start()
        return self._moto.url

    def _local_values_notes(self, declared: Mapping[str, Mapping[str, Any]]) -> list[str]:
        used = local_values_used(declared, self.options.parameter_overrides)
        return [
            f"parameter {name}={value}: the template has no default; a local value "
            f"(--parameter-overrides {name}=...)"
            for name, value in used.items()
        ]

    def _start_pools(self) -> None:
        functions = self.deployment.functions
        if self.options.from_build is not None:
            translated = self.deployment.stack.translated
            sources = source_files(Path(translated.source), translated.code_dirs.values())
            functions = from_build(functions, self.options.from_build, sources)
            self.notes.append(f"functions run from the SAM build in {self.options.from_build}")
        overrides = load_env_vars(self.options.env_vars, list(functions))
        self._metrics = MetricExtractor(
            self.deployment.aws, lambda text: self.console.line("metrics", text)
        )
        for logical_id, function in functions.items():
            environment = lambda_environment(
                function, self.deployment.aws, overrides.get(logical_id)
            )
            pool = FunctionPool(
                function,
                environment,
                self.console,
                max_concurrency=self.options.max_concurrency,
                log_reader=self._metrics.line,
            )
            self._pools[logical_id] = pool
            if self.options.prewarm and self.options.serve:
                pool.prewarm()

    def _start_queue_metrics(self) -> None:
        if self._moto is None:
            # A server the local cloud did not start (offload_local.aws.serve) has no metrics route.
            self.notes.append("no AWS/SQS metrics: moto's server was started elsewhere")
            return
        stack, url = self.deployment.stack, self.aws_url
        self._queue_metrics = QueueMetricsPublisher(
            self.deployment.aws, lambda: read_queue_metrics(url, stack.account_id, stack.region)
        )
        self._queue_metrics.start()

    def _start_outbox(self) -> None:
        stack = self.deployment.stack
        self._outbox = OutboxWatcher(
            self.options.outbox, self.console, self.aws_url, stack.account_id, stack.region
        )
        self._outbox.start()

    def _start_gateways(self, sockets: list[socket.socket]) -> None:
        stack = self.deployment.stack
        for api, sock in zip(self.deployment.http_apis.values(), sockets, strict=True):
            gateway = Gateway(
                api,
                self.invoke,
                self.console,
                region=stack.region,
                account_id=stack.account_id,
                sock=sock,
                authorizers=self._validators.get(api.logical_id),
            )
            gateway.start()
            self._gateways.append(gateway)

    def _start_pollers(self) -> None:
        for mapping in self.deployment.event_source_mappings.values():
            wanted = mapping.maximum_concurrency or DEFAULT_CONCURRENCY
            concurrency = min(wanted, self.options.max_concurrency)
            if concurrency < wanted:
                self.notes.append(
                    f"{mapping.logical_id}: {concurrency} pollers instead of {wanted} "
                    "(local process limit, --max-concurrency)"
                )
            poller = SqsPoller(
                mapping,
                self.deployment.aws,
                self._invoker(mapping.function),
                self.console,
                concurrency=concurrency,
            )
            poller.start()
            self._pollers.append(poller)

    def _invoker(self, function: str) -> Callable[[Any], Invocation]:
        def invoke(event: Any) -> Invocation:
            return self.invoke(function, event)

        return invoke

    def invoke(self, function: str, event: Any) -> Invocation:
        """Invoke a function (logical id, name or ARN) synchronously, as Lambda's Invoke API."""
        config = self.deployment.function(function)
        return self._pools[config.logical_id].invoke(event)

    def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.stop()
            self._scheduler = None
        for poller in self._pollers:
            poller.signal_stop()
        for pool in self._pools.values():
            pool.close()
        for poller in self._pollers:
            poller.stop()
        for gateway in self._gateways:
            gateway.stop()
        if self._queue_metrics is not None:
            self._queue_metrics.stop()
            self._queue_metrics = None
        if self._outbox is not None:
            self._outbox.stop()
        if self._moto is not None:
            self._moto.stop()
        self._pollers.clear()
        self._pools.clear()
        self._gateways.clear()
        self._outbox = None
        self._moto = None
        self._validators = {}

    def __enter__(self) -> LocalCloud:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
