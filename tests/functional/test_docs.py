"""/docs needs nothing from the internet: its page names only assets the API serves itself,
through the same handler (and API Gateway routes) as every other request."""

from __future__ import annotations

import base64
import re

from api.docs import assets_folder
from tests.functional.conftest import Cloud


def body_bytes(response: dict[str, object]) -> bytes:
    body = str(response.get("body") or "")
    return base64.b64decode(body) if response.get("isBase64Encoded") else body.encode()


def test_the_docs_page_loads_swagger_ui_from_the_api_itself(cloud: Cloud) -> None:
    page = cloud.api_response("GET", "/docs", as_user=None)
    html = body_bytes(page).decode()

    assert page["statusCode"] == 200
    sources = set(re.findall(r'(?:src|href)="([^"]+)"', html)) | set(
        re.findall(r"url: '([^']+)'", html)
    )
    assert sources == {
        "/docs/assets/swagger-ui-bundle.js",
        "/docs/assets/swagger-ui.css",
        "/docs/assets/favicon.png",
        "/openapi.json",
    }
    assert "https://" not in html


def test_the_assets_are_the_packaged_files(cloud: Cloud) -> None:
    for name, kind in [
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("favicon.png", "image/png"),
    ]:
        response = cloud.api_response("GET", f"/docs/assets/{name}", as_user=None)

        assert response["statusCode"] == 200, name
        headers = response["headers"]
        assert isinstance(headers, dict)
        assert headers["content-type"].startswith(kind)
        assert body_bytes(response) == (assets_folder() / name).read_bytes()


def test_nothing_outside_the_assets_folder_is_served(cloud: Cloud) -> None:
    response = cloud.api_response("GET", "/docs/assets/%2E%2E/docs.py", as_user=None)

    assert response["statusCode"] == 404
