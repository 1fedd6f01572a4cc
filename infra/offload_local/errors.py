"""Errors of the local cloud. Each one is shown to the developer as a single line."""

from __future__ import annotations


class InfraError(Exception):
    """Raise when the local cloud cannot do what was asked; the message says what to change."""


class ParameterError(InfraError):
    """Raise when a parameter override is unknown or breaks the template's constraints."""


class SamConfigError(InfraError):
    """Raise when samconfig.toml cannot be read as the SAM CLI reads it."""


class IntrinsicError(InfraError):
    """Raise when an intrinsic function cannot be resolved locally."""


class UnsupportedResourceError(InfraError):
    """Raise when the template holds a resource type (or property) the local cloud cannot run."""


class ProvisionError(InfraError):
    """Raise when a resource cannot be created in the local AWS endpoint."""


class PortInUseError(InfraError):
    """Raise when a port the local cloud wants to listen on is taken."""


class UnknownFunctionError(InfraError):
    """Raise when a command names a function the template does not define."""


class NoCloudRunningError(InfraError):
    """Raise when a command needs a running local cloud and none is found."""


class WiringError(InfraError):
    """Raise when the template's wiring would lose or repeat tasks (an offload.rules finding)."""
