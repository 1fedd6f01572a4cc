"""The function runtime emulator: each function runs in warm Python processes, as on Lambda."""

from infra.runtime.invocation import FunctionError, Invocation
from infra.runtime.pool import FunctionPool

__all__ = ["FunctionError", "FunctionPool", "Invocation"]
