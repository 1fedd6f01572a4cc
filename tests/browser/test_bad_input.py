"""What the console says when it cannot read a deployed stack: a clear message on the page."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from offload_local.webconsole.server import ConsoleServer
from offload_local.webconsole.stack import deployed_target
from tests.browser.conftest import Opened, Stack

pytestmark = pytest.mark.e2e


def serve(name: str) -> Iterator[ConsoleServer]:
    server = ConsoleServer(deployed_target(name, "us-east-1"), port=0)
    server.start()
    yield server
    server.stop()


def test_a_stack_that_does_not_exist(
    stack: Stack, opened: Opened, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The operator's "AWS" is the local cloud's endpoint, which has no such stack
    monkeypatch.setenv("AWS_ENDPOINT_URL", stack.cloud.aws_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    for server in serve("no-such-stack"):
        opened.page.goto(server.url)

        expect(opened.page.locator("#error")).to_contain_text(
            "There is no stack 'no-such-stack' in region us-east-1", timeout=30_000
        )
        expect(opened.page.locator("#stack")).to_have_text("connecting...")


def test_missing_credentials(opened: Opened, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_") and name != "AWS_DEFAULT_REGION":
            monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for server in serve("app"):
        opened.page.goto(server.url)

        expect(opened.page.locator("#error")).to_contain_text(
            "No AWS credentials found", timeout=30_000
        )
