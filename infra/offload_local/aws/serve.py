"""moto's server application in a process of its own, as MotoServer (offload_local/aws/server.py)
runs it.

`python -m offload_local.aws.serve FD HOST PORT`: serves on the listening socket FD it inherits (the
parent bound it, so a port in use is the parent's clear error), writes `ready` on stdout, and
exits when its stdin closes, which happens when the parent stops it or dies for any reason:
the server never outlives the local cloud or the test that started it.

A process of its own because moto answers every AWS call the functions, the pollers and the
gateway make: sharing the local cloud's interpreter (and its lock) with them is what kept the
local worker at a tenth of what a bare receive/delete loop reached on the same server.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Any


def serve(fd: int, host: str, port: int) -> Any:
    """moto's application, behind the host guard and the send recorder, served on `fd` from a
    thread; the server."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from offload_local.aws import s3_events
    from offload_local.aws.hosts import HostGuard
    from offload_local.email import sends
    from offload_local.metrics.sqs import QueueMetricsRoute

    # S3's notifications with the sequencer S3 writes and moto leaves out.
    s3_events.install()

    class QuietHandler(MotoRequestHandler):
        # One line per AWS call would bury the functions' own logs.
        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            pass

    server: Any = make_server(
        host,
        port,
        # Answers only requests naming this server, from no web page; keeps what moto's SESv2
        # drops (each send's configuration set) and lists what SES sent; answers each queue's
        # AWS/SQS metrics, which moto does not publish.
        HostGuard(
            sends.SendRecorder(QueueMetricsRoute(DomainDispatcherApplication(create_backend_app))),
            host,
            port,
        ),
        threaded=True,
        request_handler=QuietHandler,
        fd=fd,
    )
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="moto-server", daemon=True).start()
    return server


def main(argv: list[str]) -> int:
    fd, host, port = int(argv[0]), argv[1], int(argv[2])
    # Ctrl-C is the parent's to handle: it stops the local cloud in order, this server last.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = serve(fd, host, port)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    # Nobody reads the pipe after that: whatever moto prints goes where its warnings go.
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    # Until the parent closes the pipe: on purpose, or because it is gone.
    while sys.stdin.buffer.read(1 << 16):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
