"""A Lambda function as the local runtime runs it: code, handler, limits, environment."""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from offload_local.aws.endpoint import AwsEndpoint

# Lambda's defaults when the template leaves them out.
DEFAULT_TIMEOUT = 3
DEFAULT_MEMORY_MB = 128


@dataclass(frozen=True)
class FunctionConfig:
    """What AWS::Lambda::Function says, resolved."""

    logical_id: str
    name: str
    arn: str
    handler: str
    runtime: str
    code_dir: Path
    timeout: int = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    variables: Mapping[str, str] = field(default_factory=dict)
    reserved_concurrency: int | None = None
    # LoggingConfig.LogGroup; Lambda's own default otherwise.
    log_group_name: str | None = None
    # False for code that carries its dependencies (a SAM build): the process then imports
    # from its code folder and the standard library only, not the local virtualenv.
    site_packages: bool = True

    @property
    def log_group(self) -> str:
        return self.log_group_name or f"/aws/lambda/{self.name}"


def lambda_environment(
    function: FunctionConfig,
    aws: AwsEndpoint,
    overrides: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment a function process starts with, as the Lambda runtime sets it.

    Nothing else of the parent's environment leaks in (Lambda starts clean), except PATH and
    the interpreter switches that make local runs quieter. `overrides` (from --env-vars) win.
    """
    stream = f"{time.strftime('%Y/%m/%d')}/[$LATEST]{secrets.token_hex(16)}"
    env = {
        key: os.environ[key]
        for key in ("PATH", "LANG", "PYTHONDONTWRITEBYTECODE", "SYSTEMROOT")
        if key in os.environ
    }
    env.update(function.variables)
    # Reserved variables: Lambda refuses them in a function's configuration, so they come last.
    env.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group,
            "AWS_LAMBDA_LOG_STREAM_NAME": stream,
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "LAMBDA_TASK_ROOT": str(function.code_dir),
            "_HANDLER": function.handler,
            "TZ": ":UTC",
            "PYTHONUNBUFFERED": "1",
            # What `sam local` sets: Powertools turns X-Ray tracing off when it sees it.
            "AWS_SAM_LOCAL": "true",
            **aws.environment(),
        }
    )
    env.update(overrides or {})
    return env
