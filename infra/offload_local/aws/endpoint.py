"""The local AWS endpoint as boto3 and the functions see it: URL, region, fake credentials."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from offload_local.template.stack import ACCOUNT_ID

# moto accepts any credentials; fixed fake ones keep real ones (a developer's profile) out of reach.
FAKE_ACCESS_KEY_ID = "testing"
FAKE_SECRET_ACCESS_KEY = "testing"  # noqa: S105 - a placeholder moto accepts, not a secret


class Clients(Protocol):
    """Where boto3 clients come from: the local endpoint, or a deployed stack's account."""

    def client(self, service: str) -> Any: ...


# One session per region for every endpoint: a session keeps the service models it has read, so
# each client after the first costs milliseconds rather than a large part of a second (the local
# cloud and the tests make many endpoints). Sessions are not thread-safe: clients are made
# under the lock.
_session_lock = threading.Lock()
_sessions: dict[str, Any] = {}


def _session(region: str) -> Any:
    if region not in _sessions:
        _sessions[region] = _new_session(region)
    return _sessions[region]


def _new_session(region: str) -> Any:
    import boto3

    return boto3.session.Session(
        aws_access_key_id=FAKE_ACCESS_KEY_ID,
        aws_secret_access_key=FAKE_SECRET_ACCESS_KEY,
        region_name=region,
    )


@dataclass(frozen=True)
class AwsEndpoint:
    """Where the local AWS APIs answer, and clients that can only talk to it.

    An empty `url` leaves boto3 its own endpoints, which moto's in-process mock (`mock_aws`)
    answers: how tests that call the handlers themselves provision the template.
    """

    url: str
    region: str
    account_id: str = ACCOUNT_ID
    _clients: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def client(self, service: str) -> Any:
        """A cached boto3 client for the service (boto3 clients are thread-safe, sessions not)."""
        with self._lock:
            if service not in self._clients:
                from botocore.config import Config

                with _session_lock:
                    # moto's in-process mock hooks into the sessions made after it is imported:
                    # without a URL, a session of the endpoint's own.
                    session = _session(self.region) if self.url else _new_session(self.region)
                    self._clients[service] = session.client(
                        service,
                        endpoint_url=self.url or None,
                        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
                    )
            return self._clients[service]

    def environment(self) -> dict[str, str]:
        """Variables that point boto3 (in a function process, or the aws cli) at this endpoint."""
        endpoint = {"AWS_ENDPOINT_URL": self.url} if self.url else {}
        return endpoint | {
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_ACCESS_KEY_ID": FAKE_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET_ACCESS_KEY,
            "AWS_SESSION_TOKEN": "testing",
            # No profile, config or credentials file of the developer applies.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
