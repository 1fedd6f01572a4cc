from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI, Request

from api.limits import ContentLimits, Limit


def make_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(
        ContentLimits,
        default=Limit(max_bytes=100),
        routes={"/json": Limit(max_bytes=10, content_types=("application/json",))},
    )

    @app.post("/json")
    async def json_endpoint(request: Request) -> int:
        return len(await request.body())

    @app.post("/any")
    async def any_endpoint(request: Request) -> int:
        return len(await request.body())

    return app


def post(path: str, content: bytes, headers: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=make_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post(path, content=content, headers=headers)

    return asyncio.run(go())


def test_declared_length_over_the_limit_is_413_before_reading() -> None:
    response = post("/json", b"[1,2,3,4,5,6]", {"content-type": "application/json"})

    assert response.status_code == 413
    assert response.json() == {"detail": "Request body is larger than 10 bytes"}


def test_streamed_body_over_the_limit_is_413() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 50

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=make_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.post("/any", content=chunks())

    assert asyncio.run(go()).status_code == 413


def test_wrong_media_type_is_415_and_parameters_are_ignored() -> None:
    assert post("/json", b"{}", {"content-type": "text/plain"}).status_code == 415
    ok = post("/json", b"{}", {"content-type": "Application/JSON; charset=utf-8"})
    assert ok.status_code == 200


def test_within_limits_passes_through() -> None:
    assert post("/any", b"x" * 100, {}).json() == 100
