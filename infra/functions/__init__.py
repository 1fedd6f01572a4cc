"""The function runtime emulator: each function runs in warm Python processes, as on Lambda."""

from infra.functions.invocation import FunctionError, Invocation
from infra.functions.pool import FunctionPool

__all__ = ["FunctionError", "FunctionPool", "Invocation"]
