"""The Docker engine `sam local` runs its containers in, asked over the engine's HTTP API.

Where it listens: DOCKER_HOST (unix:// or tcp://, as the SAM CLI reads it), else the default
socket. Asked three things before the SAM CLI starts: that it answers at all, the gateway of
the network the containers join (the address at which they reach this machine), and whether an
image is already here (then nothing needs pulling); while it runs, the addresses of its
containers (who may connect to the relay); and, once it has stopped, for the containers it
left behind.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from offload_local.errors import InfraError

DEFAULT_HOST = "unix:///var/run/docker.sock"
TIMEOUT_SECONDS = 10.0
#: The network `sam local` starts containers on unless told otherwise (--docker-network).
DEFAULT_NETWORK = "bridge"


class DockerError(InfraError):
    """Raise when no Docker engine answers, or it cannot give what `sam local` needs."""


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self._path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


@dataclass(frozen=True)
class DockerEngine:
    """A Docker engine's API at `host` (unix:///path or tcp://host:port)."""

    host: str = DEFAULT_HOST
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> DockerEngine:
        environ = os.environ if environ is None else environ
        return cls(environ.get("DOCKER_HOST") or DEFAULT_HOST)

    def ping(self) -> None:
        """Return if the engine answers; a DockerError saying why not otherwise."""
        status, _ = self._get("/_ping")
        if status != 200:
            raise DockerError(f"the Docker engine at {self.host} answered {status} to a ping")

    def gateway(self, network: str = DEFAULT_NETWORK) -> str:
        """The IPv4 address containers on `network` reach this machine at (its gateway)."""
        status, body = self._get(f"/networks/{quote(network, safe='')}")
        if status == 404:
            raise DockerError(f"Docker has no network {network!r} (docker network ls)")
        if status != 200:
            raise DockerError(f"the Docker engine answered {status} about network {network!r}")
        address = _gateway(json.loads(body))
        if address is None:
            raise DockerError(f"Docker's network {network!r} has no IPv4 gateway")
        if not ipaddress.ip_address(address).is_private:
            # Listening there would mean listening on a public interface.
            raise DockerError(
                f"Docker's network {network!r} has gateway {address}, not a private address: "
                "the local cloud will not listen there"
            )
        return address

    def has_image(self, name: str) -> bool:
        status, _ = self._get(f"/images/{name}/json")
        if status not in (200, 404):
            raise DockerError(f"the Docker engine answered {status} about image {name}")
        return status == 200

    def containers(self, label: str) -> list[str]:
        """Ids of the containers, running or not, that carry `label`."""
        filters = quote(json.dumps({"label": [label]}))
        status, body = self._get(f"/containers/json?all=1&filters={filters}")
        if status != 200:
            raise DockerError(f"the Docker engine answered {status} when asked for containers")
        return [str(container["Id"]) for container in json.loads(body)]

    def addresses(self, label: str) -> set[str]:
        """The IP addresses, on every network, of the running containers that carry `label`."""
        filters = quote(json.dumps({"label": [label], "status": ["running"]}))
        status, body = self._get(f"/containers/json?filters={filters}")
        if status != 200:
            raise DockerError(f"the Docker engine answered {status} when asked for containers")
        found: set[str] = set()
        for container in json.loads(body):
            networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
            for network in networks.values():
                found.update(
                    str(network[key])
                    for key in ("IPAddress", "GlobalIPv6Address")
                    if network.get(key)
                )
        return found

    def environment_of(self, container: str) -> list[str]:
        """The container's environment, as NAME=value entries (none if it is gone)."""
        status, body = self._get(f"/containers/{container}/json")
        if status != 200:
            return []
        return list((json.loads(body).get("Config") or {}).get("Env") or [])

    def remove(self, container: str) -> None:
        """Stop and remove the container (gone already is fine)."""
        status, _ = self._request("DELETE", f"/containers/{container}?force=1")
        if status not in (204, 404):
            raise DockerError(f"the Docker engine answered {status} to removing {container}")

    def _get(self, path: str) -> tuple[int, bytes]:
        return self._request("GET", path)

    def _request(self, method: str, path: str) -> tuple[int, bytes]:
        connection = self._connection()
        try:
            connection.request(method, path)
            response = connection.getresponse()
            return response.status, response.read()
        except FileNotFoundError:
            raise DockerError(
                f"no Docker engine at {self.host}: `sam local` runs each function in a Docker "
                "container. Install and start Docker (or point DOCKER_HOST at it), or use "
                "`offload-local up`, which runs the functions without Docker"
            ) from None
        except PermissionError as exc:
            raise DockerError(
                f"the Docker engine at {self.host} refuses this user ({exc.strerror}): run as a "
                "member of the docker group"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            reason = f"no answer within {self.timeout:g} s"
            if not isinstance(exc, TimeoutError):
                reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise DockerError(
                f"the Docker engine at {self.host} is not answering ({reason}): start it (or "
                "fix DOCKER_HOST), then try again"
            ) from None
        finally:
            connection.close()

    def _connection(self) -> http.client.HTTPConnection:
        address = urlsplit(self.host)
        if address.scheme == "unix":
            return _UnixConnection(address.path, self.timeout)
        if address.scheme == "tcp" and address.hostname:
            return http.client.HTTPConnection(address.hostname, address.port, self.timeout)
        raise DockerError(
            f"DOCKER_HOST={self.host}: only unix:// and tcp:// Docker engines are supported here"
        )


def _gateway(network: Mapping[str, Any]) -> str | None:
    """The network's IPv4 gateway: as configured, or the subnet's first address, which Docker's
    default address management gives the gateway when none is configured."""
    for config in (network.get("IPAM") or {}).get("Config") or []:
        if config.get("Gateway"):
            address = ipaddress.ip_address(str(config["Gateway"]).split("/")[0])
            if address.version == 4:
                return str(address)
        elif config.get("Subnet"):
            subnet = ipaddress.ip_network(str(config["Subnet"]), strict=False)
            if subnet.version == 4:
                return str(subnet.network_address + 1)
    return None
