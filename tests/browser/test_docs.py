"""/docs renders in a browser with no internet: Swagger UI and the API's operations, everything
loaded from the API itself (through the local gateway, as API Gateway routes it)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Opened, Stack, screenshot

pytestmark = pytest.mark.e2e


def test_the_interactive_docs_render_offline(stack: Stack, opened: Opened) -> None:
    page = opened.page

    page.goto(f"{stack.api}/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text(
        "FastAPI background tasks on Lambda", timeout=30_000
    )
    expect(
        page.locator(".opblock-summary-path", has_text="/send-notification/{email}")
    ).to_be_visible()
    assert {re.sub(r"^(http://[^/]+).*", r"\1", url) for url in opened.requests} == {stack.api}
    assert opened.errors == []
    screenshot(opened, "docs.png")
