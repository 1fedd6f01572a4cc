"""The sample application's front door, as the tests reach into it: the AWS clients offload's
parts call through (not the application's own, app.clients)."""

from __future__ import annotations

from app.background import background
from offload.backend import AwsBackend
from offload.clients import AwsClients


def offload_clients() -> AwsClients:
    backend = background.backend
    assert isinstance(backend, AwsBackend), backend
    return backend.clients
