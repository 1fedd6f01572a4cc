"""The FastAPI application. Importing it creates no AWS client and reads no setting."""

from __future__ import annotations

from fastapi import FastAPI

import app.tasks as every_task  # noqa: F401  (each queue a task names is checked)
from api import docs, errors
from api.caller import owner_of
from api.limits import ContentLimits, Limit
from api.routers import datasets, health, items, logs, notifications, tasks, uploads, users
from app.background import background
from app.uploads import policy as upload_policy

app = FastAPI(
    title="FastAPI background tasks on Lambda",
    description="Background work that is queued before the response and done by a worker.",
    version="0.1.0",
    # /docs is served from packaged assets (api/docs.py); ReDoc would need a CDN.
    docs_url=None,
    redoc_url=None,
)
docs.install(app)
errors.install(app)
# Every task belongs to the caller whose request added it (read from the authorizer's claims).
background.install(app, owner=owner_of)
JSON = ("application/json",)
app.add_middleware(
    ContentLimits,
    default=Limit(max_bytes=64 * 1024),
    routes={
        # The dataset travels inside the task message: it must fit SQS's 256 KiB with room
        # for the envelope around it.
        "/process": Limit(max_bytes=192 * 1024, content_types=JSON),
        "/items": Limit(max_bytes=16 * 1024, content_types=JSON),
        "/register": Limit(max_bytes=4 * 1024, content_types=JSON),
        # Lambda takes 6 MB and API Gateway base64-encodes a binary body: larger files go to
        # S3 directly, through POST /uploads.
        "/upload": Limit(
            max_bytes=upload_policy.MAX_DIRECT_REQUEST_BYTES,
            content_types=("multipart/form-data",),
        ),
        "/uploads": Limit(max_bytes=4 * 1024, content_types=JSON),
    },
)
app.include_router(health.router)
app.include_router(notifications.router)
app.include_router(logs.router)
app.include_router(datasets.router)
app.include_router(items.router)
app.include_router(users.router)
app.include_router(tasks.router)
app.include_router(uploads.router)
