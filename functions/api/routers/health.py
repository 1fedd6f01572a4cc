"""A public liveness check: answers without touching AWS, so it says the function is up."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from api.errors import THROTTLED

router = APIRouter(tags=["health"], responses=THROTTLED)


class Health(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/health")
async def health() -> Health:
    return Health()
