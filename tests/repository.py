"""This repository's own template and folders, for the tests of its sample application: named
whatever folder the tests run from (the local cloud's default is the current folder's
template.yaml, as the SAM CLI's)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offload_local.cloud import CloudOptions

REPO_ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = REPO_ROOT / "template.yaml"


def on_free_ports(outbox: Path) -> CloudOptions:
    """The repository's template in a local cloud on free loopback ports, its emails kept in
    `outbox`: what the suites that run one start from (dataclasses.replace for the rest)."""
    from offload_local.cloud import CloudOptions

    return CloudOptions(template=TEMPLATE, port=0, aws_port=0, outbox=outbox)
