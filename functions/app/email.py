"""Email through SES v2: addresses we accept, and sending a message with text and HTML parts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from pydantic import AfterValidator

from app.masking import masked_address
from offload import PermanentTaskError

if TYPE_CHECKING:
    from mypy_boto3_sesv2.client import SESV2Client

logger = logging.getLogger(__name__)

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


class EmailServiceError(Exception):
    """Raise when SES turned a message away for now (throttling, a paused account): another
    attempt may get it through. Its text is SES's error code, never SES's message."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


class Mailer:
    """Sends through SES v2, as the stack's sender, through its configuration set: SES then
    skips suppressed addresses (bounces, complaints) and reports bounces and complaints."""

    def __init__(
        self, sender: str, configuration_set: str, client: Callable[[], SESV2Client]
    ) -> None:
        self._sender = sender
        self._configuration_set = configuration_set
        self._client = client

    def send(self, email: Email) -> str:
        """Send and return SES's message id."""
        from botocore.exceptions import ClientError

        try:
            response = self._client().send_email(
                FromEmailAddress=self._sender,
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
                ConfigurationSetName=self._configuration_set,
            )
        except ClientError as exc:
            # SES's message names addresses (the sender's, a recipient's), and whatever this
            # raises is logged and, dead-lettered, kept with the message: only the operation
            # and SES's code go on, and `from None` keeps the ClientError out of tracebacks.
            code = str(exc.response.get("Error", {}).get("Code") or "Unknown")
            detail = f"SES {exc.operation_name} refused the email: {code}"
            if code in _PERMANENT_SES_ERRORS:
                raise PermanentTaskError(
                    detail,
                    code="email_rejected",
                    message="The email service refused the message.",
                ) from None
            raise EmailServiceError(detail) from None
        message_id = response["MessageId"]
        logger.info("email sent to %s (SES message %s)", masked_address(email.to), message_id)
        return message_id
