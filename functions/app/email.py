"""Email through SES v2: addresses we accept, and sending a message with text and HTML parts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator

from app import aws
from app.settings import get_settings
from offload import PermanentTaskError

# Retrying cannot change SES's mind about these; anything else (throttling, a paused account,
# a network error) is worth another attempt.
_PERMANENT_SES_ERRORS = frozenset(
    {
        "MessageRejected",
        "MailFromDomainNotVerifiedException",
        "BadRequestException",
        "NotFoundException",
    }
)


def _plain_address(value: str) -> str:
    from email_validator import EmailNotValidError, validate_email

    # A display name ("Eve <eve@example.com>") or a line break could smuggle extra recipients
    # or headers; only a bare address is an address here.
    if any(c in value for c in "<>\r\n,;") or value != value.strip():
        raise ValueError("must be a bare email address, without a display name")
    try:
        # Syntax only: deliverability would be a DNS lookup per request. The default still
        # requires a dot in the domain ("user@localhost" is refused).
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None


EmailAddress = Annotated[str, AfterValidator(_plain_address)]


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


def send(email: Email) -> str:
    """Send through SES and return its message id."""
    from botocore.exceptions import ClientError

    sender = get_settings().SENDER_EMAIL
    if not sender:
        raise RuntimeError("SENDER_EMAIL is not set")
    # Through the stack's configuration set: SES then skips suppressed addresses (bounces,
    # complaints) and reports bounces and complaints as metrics.
    configuration_set = get_settings().EMAIL_CONFIGURATION_SET
    options: dict[str, str] = (
        {"ConfigurationSetName": configuration_set} if configuration_set else {}
    )
    try:
        response = aws.sesv2().send_email(
            FromEmailAddress=sender,
            Destination={"ToAddresses": [email.to]},
            Content={
                "Simple": {
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": email.text, "Charset": "UTF-8"},
                        "Html": {"Data": email.html, "Charset": "UTF-8"},
                    },
                }
            },
            **options,  # type: ignore[arg-type]
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _PERMANENT_SES_ERRORS:
            raise PermanentTaskError(
                f"SES refused the email: {exc}",
                code="email_rejected",
                message="The email service refused the message.",
            ) from exc
        raise
    return response["MessageId"]
