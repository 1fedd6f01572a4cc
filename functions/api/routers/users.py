"""Registration: the caller's profile, then a welcome email to their verified address."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from api.caller import CurrentCaller
from api.deps import EmailQuota, UserDB, charge, writes
from api.errors import AUTHENTICATED, BODY, CONFLICT, ENQUEUE, FORBIDDEN
from app.tasks.users import send_welcome_email
from app.users import AlreadyRegisteredError, User, UserCreate
from offload.producer import BackgroundTasks

router = APIRouter(tags=["users"], responses=AUTHENTICATED)


class Registered(BaseModel):
    user: User
    task_ids: list[str]


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    **writes(BODY, FORBIDDEN, CONFLICT, ENQUEUE, quota=True),
)
async def register(
    data: UserCreate,
    caller: CurrentCaller,
    users: UserDB,
    quota: EmailQuota,
    background_tasks: BackgroundTasks,
) -> Registered:
    email = caller.verified_email
    if email is None:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Verify your email address first")
    # Counted first: a request over the quota creates nothing.
    await charge(quota, email, background_tasks)
    try:
        user = await run_in_threadpool(users.create, caller.sub, email, data)
    except AlreadyRegisteredError:
        await run_in_threadpool(quota.refund, email)
        # Keyed by the caller: this can only ever tell them about their own account. Raising
        # here also means the request's tasks are never queued: no second welcome.
        raise HTTPException(status.HTTP_409_CONFLICT, "You are already registered") from None
    # If the welcome cannot be queued the client gets a 503; its retry must be able to register.
    background_tasks.on_enqueue_failure(lambda: users.delete(caller.sub, user))
    background_tasks.add_task(send_welcome_email, email, user.name)
    return Registered(user=user, task_ids=background_tasks.task_ids)
