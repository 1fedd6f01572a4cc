"""SES: AWS::SES::EmailIdentity, ConfigurationSet and ConfigurationSetEventDestination.

moto counts an identity as verified once it exists, which is what lets the worker send from it
(in AWS the owner clicks a link first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.errors import UnsupportedResourceError
from offload_local.provision.base import (
    ProvisionContext,
    Provisioner,
    boolean,
    error_code,
    tag_dict,
)
from offload_local.provision.resources import Provisioned

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


# Configuration set properties SESv2's CreateConfigurationSet takes in the same shape.
_SET_SAME_SHAPE = (
    "DeliveryOptions",
    "ReputationOptions",
    "SendingOptions",
    "SuppressionOptions",
    "TrackingOptions",
    "VdmOptions",
)


class ConfigurationSetProvisioner(Provisioner):
    """Created in moto; sends that name it are shown with it in the outbox
    (offload_local/email/sends.py
    records the name, which moto drops, and refuses a set that does not exist, as SES does)."""

    resource_type = "AWS::SES::ConfigurationSet"
    applied = frozenset({*_SET_SAME_SHAPE, "Name", "Tags"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        name = str(properties.get("Name") or ctx.stack.physical_name(logical_id, 64))
        request: dict[str, Any] = {k: properties[k] for k in _SET_SAME_SHAPE if k in properties}
        if "Tags" in properties:
            request["Tags"] = [
                {"Key": k, "Value": v} for k, v in tag_dict(properties["Tags"]).items()
            ]
        try:
            ctx.aws.client("sesv2").create_configuration_set(ConfigurationSetName=name, **request)
        except Exception as exc:
            # SESv2 says AlreadyExistsException; moto answers with SES v1's code.
            if "AlreadyExists" not in error_code(exc):
                raise
        return Provisioned(type=self.resource_type, ref=name)


class ConfigurationSetEventDestinationProvisioner(Provisioner):
    """Created in moto through SES's v1 API (moto's SESv2 has no event destinations; both
    APIs share one backend)."""

    resource_type = "AWS::SES::ConfigurationSetEventDestination"
    applied = frozenset({"ConfigurationSetName", "EventDestination"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        destination = dict(properties["EventDestination"])
        unsupported = sorted(
            set(destination) - {"Name", "Enabled", "MatchingEventTypes", "CloudWatchDestination"}
        )
        if unsupported:
            # Kinesis, SNS and EventBridge destinations would need events to deliver.
            raise UnsupportedResourceError(
                f"{logical_id} ({self.resource_type}): EventDestination."
                f"{', '.join(unsupported)} is not implemented locally"
            )
        name = str(destination.get("Name") or ctx.stack.physical_name(logical_id, 64))
        destination["Name"] = name
        destination["Enabled"] = boolean(destination.get("Enabled", False))
        try:
            ctx.aws.client("ses").create_configuration_set_event_destination(
                ConfigurationSetName=str(properties["ConfigurationSetName"]),
                EventDestination=destination,
            )
        except Exception as exc:
            if "AlreadyExists" not in error_code(exc):
                raise
        return Provisioned(
            type=self.resource_type,
            ref=name,
            attributes={"Id": name},
            note="recorded only: no bounce, complaint or rejection happens locally",
        )
