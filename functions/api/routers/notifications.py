"""FastAPI's background-tasks example, made durable: the email and the log entry are queued.

Only to an address its owner asked for: the caller's own verified address (admins: any).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel

from api.caller import CurrentCaller
from api.deps import EmailQuota, charge
from api.errors import AUTHENTICATED, ENQUEUE, FORBIDDEN
from app.email import EmailAddress
from app.tasks.notifications import send_email, write_log
from offload.producer import BackgroundTasks

router = APIRouter(tags=["notifications"], responses=AUTHENTICATED)


class Accepted(BaseModel):
    message: str
    task_ids: list[str]


@router.post(
    "/send-notification/{email}",
    status_code=status.HTTP_202_ACCEPTED,
    responses={**FORBIDDEN, **ENQUEUE},
)
async def send_notification(
    email: EmailAddress,
    caller: CurrentCaller,
    quota: EmailQuota,
    background_tasks: BackgroundTasks,
) -> Accepted:
    if not caller.may_email(email):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Notifications go to your own verified address only"
        )
    await charge(quota, email, background_tasks)
    background_tasks.add_task(send_email, email, message="some notification")
    background_tasks.add_task(write_log, f"notification sent to {email}")
    # By the time this is returned to the client, both tasks are on the queue (or it is a 503).
    return Accepted(
        message="Notification sent in the background", task_ids=background_tasks.task_ids
    )
