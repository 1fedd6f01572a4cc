"""The processes tests start (a local cloud, `sam local`), stopped as they are meant to be."""

from __future__ import annotations

import signal
import subprocess


def stop(process: subprocess.Popen[bytes]) -> None:
    """As a developer's Ctrl-C or a supervisor would: SIGTERM, and its clean-up awaited."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
