"""moto's server on the loopback interface: the AWS APIs of the local cloud.

moto runs in a process of its own (offload_local/aws/serve.py), so the AWS calls of the functions,
the pollers and the gateway are served beside the local cloud's own work rather than taking turns
with it under one interpreter lock. The port is bound here, in the caller's thread, so a port in
use is a clear error (ThreadedMotoServer binds in its thread and hangs instead); the server
process inherits the socket, and exits when its stdin, a pipe from this process, closes: when
`stop()` closes it, or when this process dies, however it dies.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from offload_local.errors import InfraError
from offload_local.serving import LOOPBACK, bind

DEFAULT_AWS_PORT = 4566
# Importing moto and building its application takes a few seconds on a busy machine.
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
# Where `offload-local` finds the infra package.
_ROOT = Path(__file__).resolve().parents[2]


class MotoServer:
    """moto's server application on 127.0.0.1, in a process started and stopped with the local
    cloud (or with the test that started it)."""

    def __init__(self, port: int = DEFAULT_AWS_PORT, host: str = LOOPBACK) -> None:
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the AWS endpoint is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        sock = bind(self._requested_port, "AWS endpoint (--aws-port)", self._host)
        port = int(sock.getsockname()[1])
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [str(_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        )
        # moto's server grants CORS to every origin unless this is set when moto is imported:
        # no web page may use the local endpoint (offload_local/aws/hosts.py).
        environment["MOTO_DISABLE_GLOBAL_CORS"] = "true"
        try:
            self._process = subprocess.Popen(  # noqa: S603 - our interpreter, our module
                [
                    sys.executable,
                    "-m",
                    "offload_local.aws.serve",
                    str(sock.fileno()),
                    self._host,
                    str(port),
                ],
                env=environment,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                pass_fds=(sock.fileno(),),
                # A session of its own: Ctrl-C reaches this process, which stops it last.
                start_new_session=True,
            )
        finally:
            # The server process holds its own copy of the listening socket.
            sock.close()
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        self._port = port

    def _wait_until_ready(self) -> None:
        process = self._process
        assert process is not None
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        line = b""
        while not line.endswith(b"\n"):
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([process.stdout], [], [], max(0.0, remaining))
            if not ready:
                raise InfraError(
                    f"moto's server did not start within {START_TIMEOUT_SECONDS:.0f} seconds"
                )
            chunk = os.read(process.stdout.fileno(), 64)
            if not chunk:
                status = process.wait()
                raise InfraError(f"moto's server exited during start-up (status {status})")
            line += chunk
        if line.strip() != b"ready":
            raise InfraError(f"moto's server said {line!r} instead of ready")

    def stop(self) -> None:
        process, self._process = self._process, None
        self._port = None
        if process is None:
            return
        # Closing its stdin is the signal to stop; killing is for a server that will not.
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def reset(self) -> None:
        """Forget every resource and every record of what was sent (moto's reset, over HTTP)."""
        request = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST")  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            json.loads(response.read() or b"{}")
