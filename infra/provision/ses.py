"""SES: AWS::SES::EmailIdentity. moto counts an identity as verified once it exists, which is
what lets the worker send from it (in AWS the owner clicks a link first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from infra.provision.base import ProvisionContext, Provisioner, error_code
from infra.registry import Provisioned

_DNS = "needs DNS records; there is no DNS locally"


class EmailIdentityProvisioner(Provisioner):
    resource_type = "AWS::SES::EmailIdentity"
    applied = frozenset({"EmailIdentity"})
    ignored: ClassVar[Mapping[str, str]] = {
        "DkimAttributes": _DNS,
        "DkimSigningAttributes": _DNS,
        "MailFromAttributes": _DNS,
        "FeedbackAttributes": "bounce and complaint feedback never happens locally",
        "ConfigurationSetAttributes": "configuration sets only route events; none happen locally",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        identity = str(properties["EmailIdentity"])
        try:
            ctx.aws.client("sesv2").create_email_identity(EmailIdentity=identity)
        except Exception as exc:
            if error_code(exc) != "AlreadyExistsException":
                raise
        return Provisioned(type=self.resource_type, ref=identity)
