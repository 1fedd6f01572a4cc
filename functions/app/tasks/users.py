"""After registration: the welcome email."""

from __future__ import annotations

from app.email import EmailAddress
from app.email_templates import render
from app.wiring import wiring
from offload import task


@task("send_welcome_email")
def send_welcome_email(email: EmailAddress, name: str) -> None:
    # No user text in the subject (see send_item_created_email).
    wiring().mailer.send(
        render("welcome", to=email, subject="Welcome aboard", name=name, email=email)
    )
