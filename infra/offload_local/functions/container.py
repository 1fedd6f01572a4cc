"""One warm function process ("execution environment"): started once, invoked many times.

The function's code is imported once, at start, as Lambda's init phase does; module state
survives between invocations. Invocations and results travel over two private pipes so the
handler's stdout and stderr stay free for its logs, which go to the console.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from offload_local.console import Console
from offload_local.functions.config import FunctionConfig
from offload_local.functions.invocation import FunctionError, Invocation

BOOTSTRAP = Path(__file__).resolve().parent / "bootstrap.py"
# Lambda gives the init phase (imports, module-level code) 10 s of its own.
INIT_TIMEOUT_SECONDS = 10.0


class InitError(Exception):
    """Raise when a function process cannot import its handler (or takes too long to)."""

    def __init__(self, error: FunctionError, duration_ms: float) -> None:
        super().__init__(f"{error.error_type}: {error.message}")
        self.error = error
        self.duration_ms = duration_ms


class Container:
    """A Python process running one function's handler, one invocation at a time."""

    def __init__(
        self,
        function: FunctionConfig,
        environment: Mapping[str, str],
        console: Console,
        init_timeout: float = INIT_TIMEOUT_SECONDS,
        log_reader: Callable[[str], None] | None = None,
    ) -> None:
        self.function = function
        self._environment = dict(environment)
        self._console = console
        self._init_timeout = init_timeout
        # Also sees every line the function prints (the EMF metrics in them, say).
        self._log_reader = log_reader
        self._process: subprocess.Popen[bytes] | None = None
        self._requests = -1
        self._responses = -1
        self._buffer = b""
        self._log_threads: list[threading.Thread] = []
        self.init_duration_ms: float | None = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self) -> None:
        """Start the process and wait for its handler to be imported; InitError otherwise."""
        request_read, self._requests = os.pipe()
        self._responses, response_write = os.pipe()
        started = time.monotonic()
        self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our bootstrap script
            [
                sys.executable,
                # -S: no site-packages, so only the code folder and the standard library.
                *([] if self.function.site_packages else ["-S"]),
                str(BOOTSTRAP),
                str(self.function.code_dir),
                self.function.handler,
                str(request_read),
                str(response_write),
            ],
            env=self._environment,
            cwd=self.function.code_dir,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=(request_read, response_write),
            # Its own session: Ctrl-C reaches the local cloud, which then stops its functions.
            start_new_session=True,
        )
        os.close(request_read)
        os.close(response_write)
        for stream in (self._process.stdout, self._process.stderr):
            assert stream is not None
            thread = threading.Thread(target=self._forward, args=(stream,), daemon=True)
            thread.start()
            self._log_threads.append(thread)
        try:
            message = self._read(time.monotonic() + self._init_timeout)
        except TimeoutError:
            self.stop()
            raise InitError(
                FunctionError(
                    "Runtime.InitTimeout",
                    f"init did not finish within {self._init_timeout:.0f} seconds",
                ),
                self._init_timeout * 1000,
            ) from None
        duration = (time.monotonic() - started) * 1000
        if message is None or message.get("type") != "ready":
            self.stop()
            payload = (message or {}).get("error") or {
                "errorType": "Runtime.ExitError",
                "errorMessage": "the function process exited during init",
            }
            raise InitError(FunctionError.from_payload(payload), duration)
        self.init_duration_ms = duration

    def invoke(self, event: Any, timeout: float | None = None) -> Invocation:
        """Run the handler on one event; a timeout kills the process, as Lambda does."""
        request_id = str(uuid.uuid4())
        limit = float(self.function.timeout if timeout is None else timeout)
        started = time.monotonic()
        request = {
            "requestId": request_id,
            "deadlineMs": int((time.time() + limit) * 1000),
            "invokedFunctionArn": self.function.arn,
            "event": event,
        }
        try:
            self._write(json.dumps(request).encode() + b"\n")
            message = self._read(started + limit)
        except TimeoutError:
            self.stop()
            error = FunctionError("Sandbox.Timedout", f"Task timed out after {limit:.2f} seconds")
            return Invocation(request_id, error=error, duration_ms=limit * 1000)
        except OSError:
            message = None
        duration = (time.monotonic() - started) * 1000
        if message is None:
            code = self._exit_status()
            self.stop()
            error = FunctionError(
                "Runtime.ExitError", f"the function process exited (status {code})"
            )
            return Invocation(request_id, error=error, duration_ms=duration)
        if "error" in message:
            error = FunctionError.from_payload(message["error"])
            return Invocation(request_id, error=error, duration_ms=duration)
        return Invocation(request_id, result=message.get("result"), duration_ms=duration)

    def kill(self) -> None:
        """Kill the process from another thread; the invoking thread sees it exit and cleans up."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()

    def stop(self) -> None:
        """Kill the process and release its pipes (Lambda discards environments without notice).

        Only the thread using the container may call this: the pipes close here.
        """
        process, self._process = self._process, None
        for fd in (self._requests, self._responses):
            if fd >= 0:
                os.close(fd)
        self._requests = self._responses = -1
        if process is None:
            return
        if process.poll() is None:
            process.kill()
        process.wait()
        for thread in self._log_threads:
            thread.join(timeout=5)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()

    def _exit_status(self) -> int | None:
        if self._process is None:
            return None
        try:
            return self._process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return None

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._requests, view)
            view = view[written:]

    def _read(self, deadline: float) -> dict[str, Any] | None:
        """The next message from the process, None if it exited; TimeoutError past deadline."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            ready, _, _ = select.select([self._responses], [], [], remaining)
            if not ready:
                raise TimeoutError
            chunk = os.read(self._responses, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        message: dict[str, Any] = json.loads(line)
        return message

    def _forward(self, stream: IO[bytes]) -> None:
        for raw in stream:
            text = raw.decode("utf-8", "replace")
            self._console.line(self.function.logical_id, text)
            if self._log_reader is not None:
                self._log_reader(text)
