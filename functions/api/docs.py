"""The interactive docs (/docs), whole without the internet: Swagger UI's script, styles and icon
come from a packaged copy (fastapi-offline's) served under /docs/assets/, as FastAPI documents
for self-hosting them, instead of a CDN. Locally and on AWS alike; the template makes
`GET /docs/assets/{proxy+}` public with `/docs` and `/openapi.json`."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS = "/docs"
ASSETS = f"{DOCS}/assets"


def assets_folder() -> Path:
    """Where the packaged Swagger UI files are (fastapi-offline's static folder)."""
    import fastapi_offline

    return Path(fastapi_offline.__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Serve /docs from the packaged assets. The app must be built with `docs_url=None` (and no
    ReDoc, whose page would load its script from a CDN)."""
    app.mount(ASSETS, StaticFiles(directory=assets_folder()), name="docs-assets")

    @app.get(DOCS, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            # The HTTP API's $default stage has no path prefix: these paths hold on AWS too.
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )
