"""The FastAPI application. Importing it creates no AWS client and reads no setting."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.limits import ContentLimits, Limit
from api.routers import items, logs, notifications, processing, tasks, users
from app.task_runtime import status_store, task_queue
from offload.producer import use_task_queue

app = FastAPI(
    title="FastAPI background tasks on Lambda",
    description="Background work that is queued before the response and done by a worker.",
    version="0.1.0",
)
errors.install(app)
use_task_queue(app, task_queue, status=status_store)
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
    },
)
app.include_router(notifications.router)
app.include_router(logs.router)
app.include_router(processing.router)
app.include_router(items.router)
app.include_router(users.router)
app.include_router(tasks.router)
