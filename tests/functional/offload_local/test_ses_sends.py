"""What the local SES sent, read over HTTP from moto's server process: each email with the
configuration set it went through, from any position on, and nothing after a reset."""

from __future__ import annotations

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.aws.server import MotoServer
from offload_local.email.outbox import sent_emails
from offload_local.template.stack import ACCOUNT_ID

REGION = "us-east-1"


def test_sent_emails_are_listed_with_their_configuration_set(moto_server: MotoServer) -> None:
    moto_server.reset()
    ses = AwsEndpoint(moto_server.url, REGION).client("sesv2")
    ses.create_email_identity(EmailIdentity="no-reply@example.com")
    ses.create_configuration_set(ConfigurationSetName="emails")
    for to, configuration_set in (
        ("a@example.com", {"ConfigurationSetName": "emails"}),
        ("b@example.com", {}),
    ):
        ses.send_email(
            FromEmailAddress="no-reply@example.com",
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}},
            **configuration_set,
        )

    total, emails = sent_emails(moto_server.url, ACCOUNT_ID, REGION)
    later = sent_emails(moto_server.url, ACCOUNT_ID, REGION, since=1)

    assert total == 2
    assert [(e.to, e.subject, e.configuration_set) for e in emails] == [
        (("a@example.com",), "Hi", "emails"),
        (("b@example.com",), "Hi", None),
    ]
    assert later == (2, emails[1:])

    moto_server.reset()

    assert sent_emails(moto_server.url, ACCOUNT_ID, REGION) == (0, [])
