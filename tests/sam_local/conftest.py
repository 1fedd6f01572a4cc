"""The SAM CLI's local commands against the local cloud, in Docker: `make test-sam-local`.

Run only when asked (OFFLOAD_SAM_LOCAL=1, which `make test-sam-local` sets after making sure a
Docker engine and the Lambda base image are there); skipped otherwise, saying so.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.sam_local.harness import ENABLED_VARIABLE, RunningCloud, enabled, local_cloud


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if enabled():
        return
    skip = pytest.mark.skip(
        reason=f"sam local needs Docker: run with `make test-sam-local` ({ENABLED_VARIABLE}=1)"
    )
    for item in items:
        if item.get_closest_marker("sam_local") is not None:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCloud]:
    with local_cloud(tmp_path_factory.mktemp("sam-local")) as running:
        yield running
