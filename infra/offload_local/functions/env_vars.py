"""`--env-vars env.json`, in the format of `sam local invoke --env-vars`.

{"Parameters": {"VAR": "for every function"}, "WorkerFunction": {"VAR": "for this one"}}
"""

from __future__ import annotations

import json
from pathlib import Path

from offload_local.errors import InfraError


def load_env_vars(path: Path | None, functions: list[str]) -> dict[str, dict[str, str]]:
    """Variables per function logical id; function entries win over "Parameters"."""
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InfraError(f"env vars file {path} not found") from None
    except ValueError as exc:
        raise InfraError(f"env vars file {path} is not valid JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise InfraError(f'env vars file {path}: expected {{"FunctionId": {{"VAR": "value"}}}}')
    unknown = sorted(set(data) - {"Parameters", *functions})
    if unknown:
        raise InfraError(
            f"env vars file {path}: no function {', '.join(unknown)} "
            f"(functions: {', '.join(sorted(functions))})"
        )
    shared = {str(k): str(v) for k, v in data.get("Parameters", {}).items()}
    return {
        name: {**shared, **{str(k): str(v) for k, v in data.get(name, {}).items()}}
        for name in functions
    }
