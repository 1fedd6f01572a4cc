"""Inside a function process: import the handler once, then run invocations as they arrive.

This file runs as a script in the function's own interpreter process, with the function's code
folder first on sys.path and nothing of the local cloud importable (functions/ must not depend on
it: on Lambda it is not there), so it uses the standard library only. It plays the part of
Lambda's runtime interface client: init errors, handler errors and results are reported in the
shapes Lambda uses.

Wire protocol (one JSON object per line, on two pipes given by descriptor number):
  parent -> child  {"requestId", "deadlineMs", "invokedFunctionArn", "event"}
  child -> parent  {"type": "ready"} | {"type": "initError", "error": {...}} once, then
                   {"requestId", "result"} | {"requestId", "error": {...}} per invocation
"""

from __future__ import annotations

import importlib
import importlib.abc
import json
import os
import sys
import time
import traceback
from typing import Any, TextIO


class LambdaContext:
    """The context object Lambda's Python runtime passes to the handler."""

    def __init__(self, request_id: str, deadline_ms: int, invoked_function_arn: str) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_function_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        # A string, as Lambda's runtime reads it from the environment.
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity: Any = None
        self.client_context: Any = None
        self.tenant_id: str | None = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, self._deadline_ms - int(time.time() * 1000))

    def __repr__(self) -> str:
        return (
            f"LambdaContext([aws_request_id={self.aws_request_id},"
            f"function_name={self.function_name},function_version={self.function_version}])"
        )


def error_payload(exc: BaseException, error_type: str | None = None) -> dict[str, Any]:
    """Lambda's error shape: errorMessage, errorType, requestId, stackTrace."""
    # The runtime's own frames are left out, as Lambda's runtime does.
    user_frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__]
    frames = traceback.format_list(user_frames)
    return {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
        "requestId": "",
        "stackTrace": [frame.rstrip("\n") for frame in frames],
    }


def load_handler(spec: str) -> Any:
    module_name, _, attribute = spec.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _InitError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from exc
    handler = getattr(module, attribute, None)
    if handler is None:
        raise _InitError(
            "Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'"
        )
    return handler


class LocalCloudHidden(importlib.abc.MetaPathFinder):
    """The local cloud is installed beside the library (the `local` extra) and so importable from
    site-packages; a function importing it would work here and fail on Lambda."""

    PACKAGE = "offload_local"

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> None:
        if fullname == self.PACKAGE or fullname.startswith(f"{self.PACKAGE}."):
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)


class _InitError(Exception):
    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


def _send(out: TextIO, message: dict[str, Any]) -> None:
    out.write(json.dumps(message) + "\n")
    out.flush()


def _log_error(payload: dict[str, Any]) -> None:
    # Lambda logs a failed invocation the same way before returning the error.
    trace = "\n".join(payload["stackTrace"])
    sys.stderr.write(f"[ERROR] {payload['errorType']}: {payload['errorMessage']}\n{trace}\n")
    sys.stderr.flush()


def serve(handler: Any, requests: TextIO, responses: TextIO) -> None:
    for line in requests:
        request = json.loads(line)
        request_id = request["requestId"]
        context = LambdaContext(request_id, request["deadlineMs"], request["invokedFunctionArn"])
        try:
            result = handler(request["event"], context)
        except Exception as exc:
            payload = error_payload(exc)
            payload["requestId"] = request_id
            _log_error(payload)
            _send(responses, {"requestId": request_id, "error": payload})
            continue
        try:
            encoded = json.dumps({"requestId": request_id, "result": result})
        except (TypeError, ValueError) as exc:
            payload = error_payload(exc, "Runtime.MarshalError")
            payload["errorMessage"] = f"Unable to marshal response: {exc}"
            _send(responses, {"requestId": request_id, "error": payload})
            continue
        responses.write(encoded + "\n")
        responses.flush()


def main(argv: list[str]) -> None:
    code_dir, handler_spec, request_fd, response_fd = argv[1:5]
    # sys.path[0] is this file's folder; Lambda puts the task root (the code) there instead.
    sys.path[0] = code_dir
    sys.meta_path.insert(0, LocalCloudHidden())
    os.chdir(code_dir)
    requests = os.fdopen(int(request_fd), "r", encoding="utf-8")
    responses = os.fdopen(int(response_fd), "w", encoding="utf-8")
    try:
        handler = load_handler(handler_spec)
    except _InitError as exc:
        payload = error_payload(exc, exc.error_type)
        _log_error(payload)
        _send(responses, {"type": "initError", "error": payload})
        return
    except Exception as exc:
        payload = error_payload(exc)
        _log_error(payload)
        _send(responses, {"type": "initError", "error": payload})
        return
    _send(responses, {"type": "ready"})
    serve(handler, requests, responses)


if __name__ == "__main__":
    main(sys.argv)
