"""The notification feature's background work: the email, and the log entry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from app.email import EmailAddress
from app.email_templates import render
from app.wiring import wiring
from offload import current_task, task


@task("send_email")
def send_email(email: EmailAddress, message: str = "") -> None:
    wiring().mailer.send(
        render(
            "notification",
            to=email,
            subject="Notification",
            message=message or "You have a new notification.",
        )
    )


@task("write_log")
def write_log(message: str) -> None:
    try:
        context = current_task()
        entry_id, created_at, correlation_id = (
            context.id,
            context.enqueued_at,
            context.correlation_id,
        )
    except LookupError:  # called directly, outside the worker
        entry_id, created_at, correlation_id = uuid.uuid4().hex, datetime.now(UTC), None
    wiring().logs.write(
        message, entry_id=entry_id, created_at=created_at, correlation_id=correlation_id
    )
