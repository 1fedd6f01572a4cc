"""The FastAPI application. Importing it creates no AWS client and reads no setting."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.routers import logs, notifications
from app import aws
from app.settings import get_settings
from offload.producer import use_task_queue
from offload.queue import SqsTaskQueue, TaskQueue


def task_queue() -> TaskQueue:
    return SqsTaskQueue(get_settings().TASK_QUEUE_URL, aws.sqs())


app = FastAPI(
    title="FastAPI background tasks on Lambda",
    description="Background work that is queued before the response and done by a worker.",
    version="0.1.0",
)
errors.install(app)
use_task_queue(app, task_queue)
app.include_router(notifications.router)
app.include_router(logs.router)
