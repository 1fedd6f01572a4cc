"""One `sam local` command against the running local cloud, from its checks to its clean-up.

In an order that refuses what can be refused before anything starts: the local cloud must be
running (its state file answers); its stack is read back by provisioning into it again, which
finds the existing resources (as `offload-local invoke` does); an event must be one the
function receives; Docker must answer; the SAM build must be current. Then, while the SAM CLI
runs: a relay and the authorizer service listen on the Docker network's gateway for the SAM
CLI's containers only, a fresh env file names them, and the local cloud is watched. Containers
started for one local cloud are wrong for the next (its user pool, its tokens and its state are
new), so when it stops or restarts the SAM CLI is stopped and the command says why. The env
file lives only as long as the command: none is left behind to go stale.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import urlsplit

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.cloud import LocalCloud
from offload_local.commands.common import StackSettings, one_off
from offload_local.console import Console
from offload_local.errors import InfraError, NoCloudRunningError
from offload_local.functions.triggers import check_event
from offload_local.gateway.authorizer import jwt_validators
from offload_local.provision.deployment import Deployment
from offload_local.sam.authorizer import AuthorizerService
from offload_local.sam.containers import SAM_CONTAINER_LABEL, SamContainers
from offload_local.sam.docker import DEFAULT_NETWORK, DockerEngine, DockerError
from offload_local.sam.environment import (
    ENDPOINT_VARIABLE,
    behind_jwt_authorizer,
    container_environment,
)
from offload_local.sam.relay import Relay
from offload_local.state import CloudState, read_state

BUILD_TEMPLATE = Path(".aws-sam/build/template.yaml")
PROJECT_SAM_CLI = Path(".venv-sam/bin/sam")
WATCH_INTERVAL_SECONDS = 1.0
STOP_GRACE_SECONDS = 20.0
_START_CLOUD = "start it first, in another terminal: `offload-local up`"
_RUNTIME = re.compile(r"(?P<language>[a-z]+)(?P<version>\d+(?:\.\d+)?)")


class StaleCloudError(InfraError):
    """Raise when the local cloud a `sam local` command was started for stops or restarts."""


class SamLocal:
    """`with SamLocal(state_file, console) as sam: sam.run(["invoke", ...])`."""

    def __init__(
        self,
        state_file: Path,
        console: Console,
        docker: DockerEngine | None = None,
        network: str = DEFAULT_NETWORK,
        sam_cli: str | None = None,
    ) -> None:
        self._state_file = state_file
        self._console = console
        self._docker = docker or DockerEngine.from_environment()
        self._network = network
        self._sam_cli = sam_cli
        self._cloud: LocalCloud | None = None
        self.state: CloudState | None = None

    def __enter__(self) -> SamLocal:
        self.state = state = read_state(self._state_file, _START_CLOUD)
        settings = StackSettings(state.stack_name, state.region, state.parameter_overrides)
        options = one_off(settings, Path(state.template), state.aws_endpoint)
        self._cloud = LocalCloud(options, self._console)
        self._cloud.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._cloud is not None:
            self._cloud.stop()

    @property
    def deployment(self) -> Deployment:
        if self._cloud is None:
            raise RuntimeError("SamLocal is used outside its `with` block")
        return self._cloud.deployment

    @property
    def project(self) -> Path:
        """The folder of the template the local cloud runs: where `sam build` wrote its build."""
        return Path(self.deployment.stack.translated.source).parent

    def check_event(self, function: str, event: Any, source: str) -> None:
        check_event(self.deployment, function, event, source)

    def run(self, arguments: Sequence[str]) -> int:
        """Run `sam local ARGUMENTS` wired to the local cloud until it ends; its exit status."""
        self._docker.ping()
        gateway = self._docker.gateway(self._network)
        command = [self._cli(), "local", *arguments]
        self._check_build()
        if self._images_present():
            command.append("--skip-pull-image")
        peers = SamContainers(
            lambda: self._docker.addresses(SAM_CONTAINER_LABEL), self._refused_connection
        )
        with ExitStack() as stack:
            relay = Relay(gateway, _address(self.deployment.aws.url), peers)
            relay.start()
            stack.callback(relay.stop)
            # Only this run's containers are given this endpoint.
            stack.callback(self._remove_left_behind, f"{ENDPOINT_VARIABLE}={relay.url}")
            authorizer_url = None
            if behind_jwt_authorizer(self.deployment):
                service = AuthorizerService(
                    self.deployment, jwt_validators(self.deployment), self._console, gateway, peers
                )
                service.start()
                stack.callback(service.stop)
                authorizer_url = service.url
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="sam-env-")))
            env_file = folder / "env.json"
            environment = container_environment(self.deployment, relay.url, authorizer_url)
            env_file.write_text(json.dumps(environment, indent=2))
            reached = f"containers reach the AWS endpoint {self.deployment.aws.url} at {relay.url}"
            if authorizer_url is not None:
                reached += f", the JWT authorizers at {authorizer_url}"
            self._console.line("sam", reached)
            command += ["--env-vars", str(env_file), "--region", self.deployment.stack.region]
            return self._supervise(command)

    def _supervise(self, command: list[str]) -> int:
        terminated = threading.Event()
        previous = None
        if threading.current_thread() is threading.main_thread():

            def on_sigterm(signum: int, frame: FrameType | None) -> None:
                terminated.set()

            previous = signal.signal(signal.SIGTERM, on_sigterm)
        process = subprocess.Popen(command, cwd=self.project, env=self._sam_environment())  # noqa: S603
        try:
            while True:
                try:
                    return process.wait(timeout=WATCH_INTERVAL_SECONDS)
                except subprocess.TimeoutExpired:
                    pass
                if terminated.is_set():
                    _stop(process)
                    return 128 + signal.SIGTERM
                problem = self.cloud_problem()
                if problem is not None:
                    _stop(process)
                    raise StaleCloudError(problem)
        except KeyboardInterrupt:
            # Ctrl-C reached the SAM CLI too: let it clean up its containers first.
            _stop(process, interrupted=True)
            raise
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def _refused_connection(self, address: str, why: str) -> None:
        self._console.line("sam", f"refused a connection from {address}: {why}")

    def _remove_left_behind(self, marker: str) -> None:
        """Remove the containers of this run that the SAM CLI left running (one whose start
        races a request can outlive it), found by their environment."""
        try:
            for container in self._docker.containers(SAM_CONTAINER_LABEL):
                if marker in self._docker.environment_of(container):
                    self._docker.remove(container)
                    self._console.line("sam", f"removed {container[:12]}, left by the SAM CLI")
        except DockerError as exc:
            self._console.line("sam", f"could not look for containers left behind: {exc}")

    def cloud_problem(self) -> str | None:
        """Why the containers' setup no longer fits the local cloud, if it does not."""
        again = "Start it, then run this command again"
        try:
            now = read_state(self._state_file, _START_CLOUD)
        except NoCloudRunningError:
            return f"the local cloud this command was started for has stopped. {again}"
        if now != self.state:
            return (
                "the local cloud was restarted: its resources, user pool and tokens are new, "
                "and the containers were set up for the old ones. Run this command again"
            )
        return None

    def _check_build(self) -> None:
        build = self.project / BUILD_TEMPLATE
        hint = "run `sam build` in the template's folder"
        if not build.is_file():
            raise InfraError(f"no SAM build ({build} is missing): {hint} first")
        built = build.stat().st_mtime
        translated = self.deployment.stack.translated
        sources = [Path(translated.source)]
        for folder in set(translated.code_dirs.values()):
            sources.extend(
                path
                for path in folder.rglob("*")
                if path.is_file() and "__pycache__" not in path.parts
            )
        newer = sorted(
            str(path.relative_to(self.project)) for path in sources if path.stat().st_mtime > built
        )
        if newer:
            more = f" (and {len(newer) - 1} more)" if len(newer) > 1 else ""
            raise InfraError(f"the SAM build is older than {newer[0]}{more}: {hint} again")

    def _images_present(self) -> bool:
        """Whether every function's Lambda base image is here already (then none is pulled)."""
        images = set()
        for resource in self.deployment.stack.translated.of_type("AWS::Lambda::Function").values():
            properties = resource.get("Properties") or {}
            runtime = _RUNTIME.fullmatch(str(properties.get("Runtime", "")))
            architectures = properties.get("Architectures") or ["x86_64"]
            if runtime is None or not isinstance(architectures, list):
                return False
            images.add(
                f"public.ecr.aws/lambda/{runtime['language']}:{runtime['version']}-"
                f"{architectures[0]}"
            )
        return all(self._docker.has_image(image) for image in images)

    def _cli(self) -> str:
        if self._sam_cli:
            return self._sam_cli
        project_cli = self.project / PROJECT_SAM_CLI
        if project_cli.is_file():
            return str(project_cli)
        found = shutil.which("sam")
        if found is None:
            raise InfraError(
                f"no SAM CLI: neither {PROJECT_SAM_CLI} (`make {PROJECT_SAM_CLI.parent.parent}/"
                ".installed`) nor `sam` on PATH"
            )
        return found

    def _sam_environment(self) -> dict[str, str]:
        """The SAM CLI's own environment. It hands its credentials and region on to the
        containers: fake ones that the local cloud accepts; no profile of the developer's."""
        environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        aws = AwsEndpoint(self.deployment.aws.url, self.deployment.stack.region).environment()
        # The containers get their endpoint from the env file; the SAM CLI itself needs none.
        del aws["AWS_ENDPOINT_URL"]
        return {**environment, **aws, "SAM_CLI_TELEMETRY": "0"}


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        raise InfraError(f"the local cloud's AWS endpoint {url} has no host and port")
    return parts.hostname, parts.port


def _stop(process: subprocess.Popen[bytes], interrupted: bool = False) -> None:
    """Stop the SAM CLI: SIGTERM (a SAM CLI in the background ignores SIGINT), then SIGKILL."""
    if interrupted:
        try:
            process.wait(STOP_GRACE_SECONDS)
            return
        except subprocess.TimeoutExpired:
            pass
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
