"""The outcome of one invocation: a result, or an error in Lambda's shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FunctionError:
    """A failed invocation: the handler raised, its process died, or it ran out of time."""

    error_type: str
    message: str
    stack_trace: tuple[str, ...] = ()

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> FunctionError:
        return cls(
            error_type=str(payload.get("errorType", "Unhandled")),
            message=str(payload.get("errorMessage", "")),
            stack_trace=tuple(str(line) for line in payload.get("stackTrace", [])),
        )

    def payload(self) -> dict[str, Any]:
        """What `aws lambda invoke` would print for this error."""
        return {
            "errorMessage": self.message,
            "errorType": self.error_type,
            "stackTrace": list(self.stack_trace),
        }


@dataclass(frozen=True)
class Invocation:
    """One call of a function, as the caller (gateway, poller, CLI) sees it."""

    request_id: str
    result: Any = None
    error: FunctionError | None = None
    duration_ms: float = 0.0
    init_duration_ms: float | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.error is None
