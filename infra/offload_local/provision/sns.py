"""SNS: AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy, created in moto.

Locally nothing publishes to them (CloudWatch alarms are never evaluated) and an email
subscription never receives anything: they exist so their ARNs are real and inspectable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.provision.base import ProvisionContext, Provisioner, tag_dict, text
from offload_local.provision.policy import PolicyProvisioner
from offload_local.provision.resources import Provisioned

# Topic properties that are topic attributes of the same name.
_TOPIC_ATTRIBUTES = (
    "DisplayName",
    "FifoTopic",
    "ContentBasedDeduplication",
    "KmsMasterKeyId",
    "SignatureVersion",
    "TracingConfig",
)
# Subscription properties that are subscription attributes; policies are JSON text in the API.
_SUBSCRIPTION_ATTRIBUTES = ("FilterPolicyScope", "RawMessageDelivery", "SubscriptionRoleArn")
_SUBSCRIPTION_JSON = ("FilterPolicy", "RedrivePolicy", "DeliveryPolicy", "ReplayPolicy")


class TopicProvisioner(Provisioner):
    resource_type = "AWS::SNS::Topic"
    applied = frozenset({*_TOPIC_ATTRIBUTES, "TopicName", "Tags", "Subscription"})
    ignored: ClassVar[Mapping[str, str]] = {
        "DeliveryStatusLogging": "nothing is delivered locally, so there is no status to log",
        "ArchivePolicy": "nothing is published locally, so nothing to archive",
        "DataProtectionPolicy": "nothing is published locally, so nothing to inspect",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        sns = ctx.aws.client("sns")
        fifo = str(properties.get("FifoTopic", "false")).lower() == "true"
        name = str(properties.get("TopicName") or ctx.stack.physical_name(logical_id, 251))
        if fifo and not name.endswith(".fifo"):
            name = f"{name}.fifo"
        attributes = {k: text(properties[k]) for k in _TOPIC_ATTRIBUTES if k in properties}
        tags = [{"Key": k, "Value": v} for k, v in tag_dict(properties.get("Tags")).items()]
        # CreateTopic returns the existing topic for the same name and attributes.
        arn = str(sns.create_topic(Name=name, Attributes=attributes, Tags=tags)["TopicArn"])
        for subscription in properties.get("Subscription", []):
            sns.subscribe(
                TopicArn=arn,
                Protocol=str(subscription["Protocol"]),
                Endpoint=str(subscription["Endpoint"]),
            )
        return Provisioned(
            type=self.resource_type,
            ref=arn,
            attributes={"TopicArn": arn, "TopicName": name},
        )


class SubscriptionProvisioner(Provisioner):
    resource_type = "AWS::SNS::Subscription"
    applied = frozenset(
        {"TopicArn", "Protocol", "Endpoint", *_SUBSCRIPTION_ATTRIBUTES, *_SUBSCRIPTION_JSON}
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "Region": "the local cloud has one region",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        attributes = {k: text(properties[k]) for k in _SUBSCRIPTION_ATTRIBUTES if k in properties}
        for key in _SUBSCRIPTION_JSON:
            if key in properties:
                value = properties[key]
                attributes[key] = value if isinstance(value, str) else json.dumps(value)
        # Subscribe returns the existing subscription for the same topic, protocol, endpoint.
        arn = ctx.aws.client("sns").subscribe(
            TopicArn=str(properties["TopicArn"]),
            Protocol=str(properties["Protocol"]),
            Endpoint=str(properties.get("Endpoint", "")),
            Attributes=attributes,
            ReturnSubscriptionArn=True,
        )["SubscriptionArn"]
        return Provisioned(
            type=self.resource_type,
            ref=str(arn),
            note=f"{properties['Protocol']} subscription recorded only: nothing is delivered "
            "locally",
        )


class TopicPolicyProvisioner(PolicyProvisioner):
    resource_type = "AWS::SNS::TopicPolicy"
    applied = frozenset({"Topics", "PolicyDocument"})
    targets = "Topics"

    def attach(self, ctx: ProvisionContext, target: str, document: str) -> None:
        ctx.aws.client("sns").set_topic_attributes(
            TopicArn=target, AttributeName="Policy", AttributeValue=document
        )
