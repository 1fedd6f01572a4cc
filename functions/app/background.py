"""The application's front door to offload: where its tasks go, wait and are recorded, from the
OFFLOAD_* variables template.yaml sets (read on first use). The API installs it (api/main.py),
the worker's handler is made from it (worker/handler.py)."""

from __future__ import annotations

from offload import Offload

background = Offload.from_environment()
