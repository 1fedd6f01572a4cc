"""The SES outbox: emails the functions send through the local SES, shown and kept as .eml files.

moto keeps sent emails in its SES backend (SESv2 SendEmail is stored by the v1 backend), in the
server's own process: the watcher reads them over HTTP, from the listing
offload_local/email/sends.py adds to that server. Each email is printed on the console and written
to <folder>/<time>-<message id>.eml, which any mail client opens. The configuration set a send
named (which moto drops) is shown with it, and kept in the file as an X-SES-CONFIGURATION-SET
header, the header SES itself reads it from.
"""

from __future__ import annotations

import email.policy
import json
import re
import threading
import time
import urllib.request
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import formatdate
from pathlib import Path
from typing import Any

from offload_local.console import Console

DEFAULT_OUTBOX = Path(".local/outbox")
#: Where moto's server (as offload_local.aws.serve runs it) lists the emails SES accepted.
EMAILS_PATH = "/_local/ses/emails"
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


def sent_emails(
    aws_url: str, account_id: str, region: str, since: int = 0
) -> tuple[int, list[Email]]:
    """How many emails the local SES has accepted, and those from the `since`-th on."""
    query = f"account={account_id}&region={region}&since={since}"
    with urllib.request.urlopen(f"{aws_url}{EMAILS_PATH}?{query}", timeout=30) as response:  # noqa: S310 - the local endpoint
        listing = json.loads(response.read())
    emails = [
        Email(**{**item, **{k: tuple(item[k]) for k in ("to", "cc", "bcc")}})
        for item in listing["emails"]
    ]
    return int(listing["total"]), emails


class OutboxWatcher:
    """Polls the local SES's sent emails and publishes each new one once."""

    def __init__(
        self,
        folder: Path,
        console: Console,
        aws_url: str,
        account_id: str,
        region: str,
        interval: float = 0.25,
    ) -> None:
        self.folder = folder
        self._console = console
        self._aws_url = aws_url
        self._account_id = account_id
        self._region = region
        self._interval = interval
        self._seen: set[str] = set()
        self._listed = 0
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
        total, emails = sent_emails(self._aws_url, self._account_id, self._region, self._listed)
        if total < self._listed:
            # The endpoint was reset: its list starts again.
            total, emails = sent_emails(self._aws_url, self._account_id, self._region)
        self._listed = total
        written = []
        for mail in emails:
            if mail.message_id in self._seen:
                continue
            self._seen.add(mail.message_id)
            written.append(self._publish(mail))
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
