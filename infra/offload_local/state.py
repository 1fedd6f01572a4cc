"""The running local cloud's address card (.local/cloud.json), so other commands can find it."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from offload_local.errors import NoCloudRunningError

DEFAULT_STATE_FILE = Path(".local/cloud.json")
#: A function's variables the card keeps: those offload's parts are found by (its table, queues,
#: dead-letter queue, metrics namespace); anything else of its environment stays out of the file.
KEPT_VARIABLES = ("OFFLOAD_", "POWERTOOLS_METRICS_NAMESPACE")


@dataclass(frozen=True)
class CloudState:
    """Where a running local cloud answers and which stack it runs."""

    pid: int
    aws_endpoint: str
    region: str
    stack_name: str
    template: str
    api_url: str | None = None
    outbox: str | None = None
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    # What `token` needs to sign users in: the user pool, its app client, its admin group.
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    admin_group: str | None = None
    # What a deployed stack answers to DescribeStacks and ListStackResources, for the console:
    # its outputs, and each resource's type and physical id by logical id.
    outputs: dict[str, str] = field(default_factory=dict)
    resources: dict[str, tuple[str, str]] = field(default_factory=dict)
    # What GetFunctionConfiguration shows of each function's environment, by logical id: the
    # variables the console finds offload's parts by (offload_local.webconsole.stack).
    functions: dict[str, dict[str, str]] = field(default_factory=dict)


def offload_variables(variables: Mapping[str, str]) -> dict[str, str]:
    """The variables of a function's environment the card keeps."""
    return {name: value for name, value in variables.items() if name.startswith(KEPT_VARIABLES)}


def write_state(path: Path, state: CloudState) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(asdict(state), indent=2))
    temporary.replace(path)


def remove_state(path: Path, pid: int) -> None:
    """Remove the card, unless another local cloud has written its own since."""
    try:
        if json.loads(path.read_text()).get("pid") == pid:
            path.unlink()
    except (OSError, ValueError):
        pass


def read_state(
    path: Path, hint: str = "start it with `offload-local up` (or pass --aws-endpoint)"
) -> CloudState:
    """The running cloud's card; NoCloudRunningError, ending with `hint`, if none answers."""
    try:
        data = json.loads(path.read_text())
        state = CloudState(**data)
    except (OSError, ValueError, TypeError):
        raise NoCloudRunningError(f"no local cloud is running ({path} not found): {hint}") from None
    if not _alive(state.pid) or not _answers(state.aws_endpoint):
        raise NoCloudRunningError(f"the local cloud in {path} is no longer running: {hint}")
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/moto-api/", timeout=2):  # noqa: S310 - loopback URL
            return True
    except urllib.error.HTTPError:
        return True  # it answered
    except OSError:
        return False
