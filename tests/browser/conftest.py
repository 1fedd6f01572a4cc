"""Browser tests: the console and /docs in headless Chromium (Debian's `chromium` package, driven
by Playwright through `executable_path`; Playwright's own browser download is not used).

Skipped, with the reason printed, when no Chromium is installed (`apt-get install chromium`);
CI installs it first (.ci/run), so there they always run. `make screenshots` refreshes the
README's pictures in docs/ from these same pages.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from offload_local.cloud import LocalCloud
from offload_local.console import Console
from offload_local.state import write_state
from offload_local.webconsole.server import ConsoleServer
from offload_local.webconsole.stack import local_target
from tests.repository import on_free_ports

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

DOCS = Path(__file__).resolve().parents[2] / "docs"
#: Chromium's own background connections (updates, sync, field trials) go nowhere offline.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str | None:
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    return found if found and Path(found).exists() else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if chromium_path() is not None:
        return
    skip = pytest.mark.skip(
        reason="no Chromium found: the browser tests need Debian's chromium "
        "(apt-get install chromium) or CHROMIUM_PATH"
    )
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(skip)


@dataclass
class Opened:
    """A page and everything it logged: console errors, uncaught exceptions, requests made."""

    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


# Per module: Playwright's sync API runs an event loop on the main thread while it is open,
# which the handlers called directly by other tests (Mangum) must not find running.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    assert path is not None
    with sync_playwright() as playwright:
        # Playwright starts Chromium with a fresh profile (--user-data-dir) of its own.
        launched = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        yield launched
        launched.close()


def open_page(browser: Browser) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    opened = Opened(page)
    page.on(
        "console",
        lambda message: opened.errors.append(message.text) if message.type == "error" else None,
    )
    page.on("pageerror", lambda error: opened.errors.append(str(error)))
    page.on("request", lambda request: opened.requests.append(request.url))
    # Redrive and delete ask for confirmation: the tests say yes.
    page.on("dialog", lambda dialog: dialog.accept())
    yield opened
    context.close()


@pytest.fixture
def opened(browser: Browser) -> Iterator[Opened]:
    yield from open_page(browser)


@dataclass
class Stack:
    cloud: LocalCloud
    console: ConsoleServer

    @property
    def api(self) -> str:
        assert self.cloud.api_url is not None
        return self.cloud.api_url

    def queue_url(self, logical_id: str) -> str:
        return str(self.cloud.deployment.registry.ref(logical_id))

    def sqs(self) -> Any:
        return self.cloud.deployment.aws.client("sqs")


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    """The local cloud from template.yaml on free ports, and its console, as `make dev` runs
    them."""
    with tempfile.TemporaryDirectory() as folder:
        options = on_free_ports(Path(folder) / "outbox")
        with LocalCloud(options, Console(colour=False)) as cloud:
            state_file = Path(folder) / "cloud.json"
            write_state(state_file, cloud.state())
            console = ConsoleServer(local_target(state_file, cloud.aws_url), port=0)
            console.start()
            try:
                yield Stack(cloud, console)
            finally:
                console.stop()


def screenshot(opened: Opened, name: str) -> None:
    """Refresh the README's picture of this page when asked (`make screenshots`).

    Off by default so a test run leaves the working tree as it found it.
    """
    if os.environ.get("OFFLOAD_SCREENSHOTS") != "1":
        return
    DOCS.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(DOCS / name), full_page=True)
