"""FastAPI's background-tasks example, made durable: the email and the log entry are queued.

Only to an address its owner asked for: the caller's own verified address (admins: any).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel

from api.caller import CurrentCaller
from api.deps import EmailQuota, charge, writes
from api.errors import AUTHENTICATED, ENQUEUE, FORBIDDEN
from app.email import EmailAddress
from app.masking import masked_address
from app.tasks.notifications import send_email, write_log
from offload.producer import BackgroundTasks
from offload.timing import MAX_AHEAD

router = APIRouter(tags=["notifications"], responses=AUTHENTICATED)


class Accepted(BaseModel):
    message: str
    task_ids: list[str]


@router.post(
    "/send-notification/{email}",
    status_code=status.HTTP_202_ACCEPTED,
    **writes(FORBIDDEN, ENQUEUE, quota=True),
)
async def send_notification(
    email: EmailAddress,
    caller: CurrentCaller,
    quota: EmailQuota,
    background_tasks: BackgroundTasks,
    delay_seconds: Annotated[
        int,
        Query(
            ge=0,
            le=int(MAX_AHEAD.total_seconds()),
            description="Send it this many seconds from now (up to a year); the task is "
            "`scheduled` until then, and its owner may cancel it (DELETE /tasks/{id}).",
        ),
    ] = 0,
) -> Accepted:
    if not caller.may_email(email):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "Notifications go to your own verified address only"
        )
    await charge(quota, email, background_tasks)
    # The notification log names the recipient masked: what an admin needs to recognise them.
    entry = f"notification sent to {masked_address(email)}"
    if delay_seconds:
        later = background_tasks.later(timedelta(seconds=delay_seconds))
        later.add_task(send_email, email, message="some notification")
        later.add_task(write_log, entry)
    else:
        background_tasks.add_task(send_email, email, message="some notification")
        background_tasks.add_task(write_log, entry)
    # By the time this is returned to the client, both tasks are on the queue (or it is a 503).
    return Accepted(
        message="Notification sent in the background", task_ids=background_tasks.task_ids
    )
