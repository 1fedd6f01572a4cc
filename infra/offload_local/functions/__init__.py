"""The function runtime emulator: each function runs in warm Python processes, as on Lambda."""

from offload_local.functions.invocation import FunctionError, Invocation
from offload_local.functions.pool import FunctionPool

__all__ = ["FunctionError", "FunctionPool", "Invocation"]
