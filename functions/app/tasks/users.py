"""After registration: the welcome email."""

from __future__ import annotations

from app.email import EmailAddress, send
from app.email_templates import render
from offload import task


@task("send_welcome_email")
def send_welcome_email(email: EmailAddress, name: str) -> None:
    # No user text in the subject (see send_item_created_email).
    send(render("welcome", to=email, subject="Welcome aboard", name=name, email=email))
