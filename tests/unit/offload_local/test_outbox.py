"""Emails as the outbox keeps them: .eml files a mail client opens, with the configuration set
each was sent through."""

from __future__ import annotations

from pathlib import Path

from offload_local.email.outbox import Email, list_outbox


def test_the_configuration_set_is_kept_as_the_header_ses_reads_it_from(tmp_path: Path) -> None:
    mail = Email(
        message_id="m1",
        source="no-reply@example.com",
        to=("you@example.com",),
        subject="Hi",
        body="Hello",
        configuration_set="local-EmailConfigurationSet",
    )
    (tmp_path / "1.eml").write_bytes(mail.to_eml(1_800_000_000))
    (tmp_path / "2.eml").write_bytes(Email("m2", "a@example.com", ("b@example.com",)).to_eml(0))

    first, second = list_outbox(tmp_path)

    assert first.configuration_set == "local-EmailConfigurationSet"
    assert (first.sender, first.to, first.subject) == (
        "no-reply@example.com",
        "you@example.com",
        "Hi",
    )
    assert second.configuration_set is None


def test_a_raw_email_gets_the_header_unless_it_has_one() -> None:
    raw = "From: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\n\r\nbody\r\n"
    own = "X-SES-CONFIGURATION-SET: mine\r\n" + raw

    added = Email("m", "a@example.com", ("b@example.com",), raw=raw, configuration_set="set")
    kept = Email("m", "a@example.com", ("b@example.com",), raw=own, configuration_set="set")

    assert added.to_eml(0) == ("X-SES-CONFIGURATION-SET: set\r\n" + raw).encode()
    assert kept.to_eml(0) == own.encode()
