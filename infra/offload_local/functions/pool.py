"""Warm processes of one function, up to its concurrency, reused like Lambda's environments."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from offload_local.console import Console
from offload_local.functions.config import FunctionConfig
from offload_local.functions.container import INIT_TIMEOUT_SECONDS, Container, InitError
from offload_local.functions.invocation import FunctionError, Invocation

# Each process costs an interpreter with the app imported (~100 MB); a developer's machine is
# not Lambda's fleet. Reserved concurrency, when set, lowers it further.
DEFAULT_MAX_CONCURRENCY = 8


class FunctionPool:
    """Runs invocations of one function, each in a warm process of its own.

    At most `max_concurrency` invocations run at once; more callers wait for a process to free
    up (Lambda would throttle beyond its concurrency, but locally the cap is about memory, so
    waiting is the faithful choice for what the caller observes).
    """

    def __init__(
        self,
        function: FunctionConfig,
        environment: Mapping[str, str],
        console: Console,
        max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
        init_timeout: float = INIT_TIMEOUT_SECONDS,
        log_reader: Callable[[str], None] | None = None,
    ) -> None:
        if function.reserved_concurrency is not None:
            max_concurrency = min(max_concurrency, function.reserved_concurrency)
        self.function = function
        self._environment = dict(environment)
        self._console = console
        self._init_timeout = init_timeout
        self._log_reader = log_reader
        self._slots = threading.Semaphore(max(0, max_concurrency))
        self._max = max_concurrency
        self._lock = threading.Lock()
        self._idle: list[Container] = []
        self._busy: set[Container] = set()
        self._closed = False

    def invoke(self, event: Any, timeout: float | None = None) -> Invocation:
        """Invoke the function with the event and wait for its result or error."""
        if self._max <= 0:
            # ReservedConcurrentExecutions: 0 is how a function is switched off.
            return _failed("TooManyRequestsException", "Rate Exceeded.")
        self._slots.acquire()
        try:
            container, cold = self._take()
            if container is None:
                return _failed("Runtime.Stopped", "the local cloud is stopping")
            if cold:
                try:
                    container.start()
                except InitError as exc:
                    # Lambda reports a failed init as the invocation's error, then retries the
                    # init on the next invocation: the process is discarded.
                    self._release(container, keep=False)
                    failed = _failed(exc.error.error_type, exc.error.message)
                    self._report(failed.request_id, exc.duration_ms, exc.duration_ms)
                    return Invocation(
                        failed.request_id, error=exc.error, init_duration_ms=exc.duration_ms
                    )
            invocation = container.invoke(event, timeout)
            init = container.init_duration_ms if cold else None
            self._report(invocation.request_id, invocation.duration_ms, init)
            self._release(container, keep=container.alive)
            if init is not None:
                return Invocation(
                    invocation.request_id,
                    invocation.result,
                    invocation.error,
                    invocation.duration_ms,
                    init,
                )
            return invocation
        finally:
            self._slots.release()

    def prewarm(self) -> None:
        """Start one process ahead of the first request, in the background."""

        def warm() -> None:
            container, cold = self._take()
            if container is None:
                return
            if cold:
                try:
                    container.start()
                except InitError:
                    self._release(container, keep=False)
                    return
            self._release(container, keep=True)

        threading.Thread(target=warm, name=f"warm-{self.function.logical_id}", daemon=True).start()

    def close(self) -> None:
        """Stop every process; running invocations end with an error."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
        for container in busy:
            container.kill()
        for container in idle:
            container.stop()

    def _take(self) -> tuple[Container | None, bool]:
        with self._lock:
            if self._closed:
                return None, False
            if self._idle:
                # Most recently used first: the others may be reclaimed, as Lambda does.
                container = self._idle.pop()
                self._busy.add(container)
                return container, False
            container = Container(
                self.function,
                self._environment,
                self._console,
                self._init_timeout,
                self._log_reader,
            )
            self._busy.add(container)
            return container, True

    def _release(self, container: Container, keep: bool) -> None:
        with self._lock:
            self._busy.discard(container)
            if keep and not self._closed:
                self._idle.append(container)
                return
        container.stop()

    def _report(self, request_id: str, duration_ms: float, init_ms: float | None) -> None:
        # The REPORT line Lambda writes to CloudWatch Logs after each invocation.
        init = f"\tInit Duration: {init_ms:.2f} ms" if init_ms is not None else ""
        self._console.line(
            self.function.logical_id,
            f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
            f"Memory Size: {self.function.memory_mb} MB{init}",
        )


def _failed(error_type: str, message: str) -> Invocation:
    return Invocation(str(uuid.uuid4()), error=FunctionError(error_type, message))
