"""Registration: one account per address, then a welcome email from the worker."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.deps import UserDB
from app.tasks.users import send_welcome_email
from app.users import EmailTakenError, User, UserCreate
from offload.producer import BackgroundTasks

router = APIRouter(tags=["users"])


class Registered(BaseModel):
    user: User
    task_ids: list[str]


@router.post("/register", status_code=status.HTTP_201_CREATED)
async def register(
    data: UserCreate, users: UserDB, background_tasks: BackgroundTasks
) -> Registered:
    try:
        user = await run_in_threadpool(users.create, data)
    except EmailTakenError:
        # Raising here also means the request's tasks are never queued: no second welcome.
        raise HTTPException(status.HTTP_409_CONFLICT, "This email is already registered") from None
    background_tasks.add_task(send_welcome_email, user.email, user.name)
    # If the welcome cannot be queued the client gets a 503; its retry must be able to register.
    background_tasks.on_enqueue_failure(lambda: users.delete(user))
    return Registered(user=user, task_ids=background_tasks.task_ids)
