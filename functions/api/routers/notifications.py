"""FastAPI's background-tasks example, made durable: the email and the log entry are queued."""

from __future__ import annotations

from fastapi import APIRouter, status
from pydantic import BaseModel

from app.email import EmailAddress
from app.tasks.notifications import send_email, write_log
from offload.producer import BackgroundTasks

router = APIRouter(tags=["notifications"])


class Accepted(BaseModel):
    message: str
    task_ids: list[str]


@router.post("/send-notification/{email}", status_code=status.HTTP_202_ACCEPTED)
async def send_notification(email: EmailAddress, background_tasks: BackgroundTasks) -> Accepted:
    background_tasks.add_task(send_email, email, message="some notification")
    background_tasks.add_task(write_log, f"notification sent to {email}")
    # By the time this is returned to the client, both tasks are on the queue (or it is a 503).
    return Accepted(
        message="Notification sent in the background", task_ids=background_tasks.task_ids
    )
