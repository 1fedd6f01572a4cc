"""The SES outbox: emails the functions send through the local SES, shown and kept as .eml files.

moto keeps sent emails in its SES backend (SESv2 SendEmail is stored by the v1 backend); the
server runs in this process, so the watcher reads them there. Each email is printed on the
console and written to <folder>/<time>-<message id>.eml, which any mail client opens. The
configuration set a send named (which moto drops: see infra/email/sends.py) is shown with it, and
kept in the file as an X-SES-CONFIGURATION-SET header, the header SES itself reads it from.
"""

from __future__ import annotations

import email.policy
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formatdate
from pathlib import Path
from typing import Any

from infra.console import Console
from infra.email.sends import configuration_set_of

DEFAULT_OUTBOX = Path(".local/outbox")
_PREVIEW_LINES = 6
CONFIGURATION_SET_HEADER = "X-SES-CONFIGURATION-SET"
_CONFIGURATION_SET_LINE = re.compile(rb"(?im)^x-ses-configuration-set:")


@dataclass(frozen=True)
class Email:
    """One email SES accepted."""

    message_id: str
    source: str
    to: tuple[str, ...]
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    subject: str = ""
    body: str = ""
    raw: str | None = None
    configuration_set: str | None = None

    def to_eml(self, sent_at: float) -> bytes:
        if self.raw is not None:
            raw = self.raw.encode()
            head = re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]
            if self.configuration_set and not _CONFIGURATION_SET_LINE.search(head):
                header = f"{CONFIGURATION_SET_HEADER}: {self.configuration_set}\r\n"
                raw = header.encode() + raw
            return raw
        message = EmailMessage()
        if self.configuration_set:
            message[CONFIGURATION_SET_HEADER] = self.configuration_set
        message["From"] = self.source
        if self.to:
            message["To"] = ", ".join(self.to)
        if self.cc:
            message["Cc"] = ", ".join(self.cc)
        if self.bcc:
            # Kept so the developer sees every recipient; a real transport would drop it.
            message["Bcc"] = ", ".join(self.bcc)
        message["Subject"] = self.subject
        message["Date"] = formatdate(sent_at, localtime=False)
        message["Message-ID"] = f"<{self.message_id}@email.amazonses.com>"
        # SES gets Html and/or Text parts; moto keeps the Html one when both are given.
        subtype = "html" if self.body.lstrip().startswith("<") else "plain"
        message.set_content(self.body, subtype=subtype)
        return message.as_bytes(policy=email.policy.SMTP)


def from_moto(message: Any) -> Email:
    """An email from moto's SES backend records (Message, RawMessage, TemplateMessage)."""
    destinations = getattr(message, "destinations", {})
    if isinstance(destinations, Mapping):
        to = tuple(destinations.get("ToAddresses", []))
        cc = tuple(destinations.get("CcAddresses", []))
        bcc = tuple(destinations.get("BccAddresses", []))
    else:
        to, cc, bcc = tuple(destinations or []), (), ()
    raw = getattr(message, "raw_data", None)
    subject = getattr(message, "subject", None)
    body = getattr(message, "body", None)
    if subject is None and hasattr(message, "template"):
        subject = f"(template {message.template})"
        body = str(getattr(message, "template_data", ""))
    return Email(
        message_id=str(message.id),
        source=str(message.source),
        to=to,
        cc=cc,
        bcc=bcc,
        subject=str(subject or ""),
        body=str(body or ""),
        raw=None if raw is None else str(raw),
        configuration_set=configuration_set_of(str(message.id)),
    )


class OutboxWatcher:
    """Polls moto's SES backend and publishes each new email once."""

    def __init__(
        self,
        folder: Path,
        console: Console,
        account_id: str,
        region: str,
        interval: float = 0.25,
    ) -> None:
        self.folder = folder
        self._console = console
        self._account_id = account_id
        self._region = region
        self._interval = interval
        self._seen: set[str] = set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.poll()  # what arrived during the last interval

    def poll(self) -> list[Path]:
        """Publish emails sent since the last poll; their .eml paths."""
        from moto.ses.models import ses_backends

        backend = ses_backends[self._account_id][self._region]
        written = []
        for message in list(backend.sent_messages):
            if message.id in self._seen:
                continue
            self._seen.add(message.id)
            written.append(self._publish(from_moto(message)))
        return written

    def _run(self) -> None:
        while not self._stopping.wait(self._interval):
            try:
                self.poll()
            except Exception as exc:  # the console must not die with one bad record
                self._console.line("outbox", f"could not read SES: {exc}")

    def _publish(self, mail: Email) -> Path:
        now = time.time()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime(now))
        path = self.folder / f"{stamp}-{mail.message_id}.eml"
        path.write_bytes(mail.to_eml(now))
        recipients = ", ".join(mail.to + mail.cc + mail.bcc)
        through = f" (configuration set {mail.configuration_set})" if mail.configuration_set else ""
        lines = [f"email from {mail.source} to {recipients}{through}: {mail.subject!r} -> {path}"]
        preview = (mail.body or mail.raw or "").strip().splitlines()[:_PREVIEW_LINES]
        lines.extend(f"    {line}" for line in preview)
        self._console.line("outbox", "\n".join(lines))
        return path


@dataclass(frozen=True)
class OutboxEntry:
    """A stored email, as the `outbox` command lists it."""

    path: Path
    date: str
    sender: str
    to: str
    subject: str
    configuration_set: str | None = None


def list_outbox(folder: Path) -> list[OutboxEntry]:
    """The .eml files of the folder, oldest first."""
    entries = []
    for path in sorted(folder.glob("*.eml")):
        with path.open("rb") as handle:
            headers = BytesHeaderParser(policy=email.policy.default).parse(handle)
        entries.append(
            OutboxEntry(
                path=path,
                date=str(headers.get("Date", "")),
                sender=str(headers.get("From", "")),
                to=str(headers.get("To", "")),
                subject=str(headers.get("Subject", "")),
                configuration_set=_optional(headers.get(CONFIGURATION_SET_HEADER)),
            )
        )
    return entries


def _optional(value: Any) -> str | None:
    return None if value is None else str(value)
