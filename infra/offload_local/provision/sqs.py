"""SQS: AWS::SQS::Queue (with its RedrivePolicy, which moto honours) and AWS::SQS::QueuePolicy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from offload_local.provision.base import ProvisionContext, Provisioner, boolean, tag_dict, text
from offload_local.provision.policy import PolicyProvisioner
from offload_local.provision.resources import Provisioned

# CloudFormation property -> SQS queue attribute, for attributes that are plain values.
_ATTRIBUTES = {
    "ContentBasedDeduplication": "ContentBasedDeduplication",
    "DeduplicationScope": "DeduplicationScope",
    "DelaySeconds": "DelaySeconds",
    "FifoQueue": "FifoQueue",
    "FifoThroughputLimit": "FifoThroughputLimit",
    "KmsDataKeyReusePeriodSeconds": "KmsDataKeyReusePeriodSeconds",
    "KmsMasterKeyId": "KmsMasterKeyId",
    "MaximumMessageSize": "MaximumMessageSize",
    "MessageRetentionPeriod": "MessageRetentionPeriod",
    "ReceiveMessageWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
    "SqsManagedSseEnabled": "SqsManagedSseEnabled",
    "VisibilityTimeout": "VisibilityTimeout",
}
# Policies are JSON documents in the API and objects in the template.
_JSON_ATTRIBUTES = {"RedrivePolicy": "RedrivePolicy", "RedriveAllowPolicy": "RedriveAllowPolicy"}


class QueueProvisioner(Provisioner):
    resource_type = "AWS::SQS::Queue"
    applied = frozenset({*_ATTRIBUTES, *_JSON_ATTRIBUTES, "QueueName", "Tags"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        fifo = boolean(properties.get("FifoQueue", False))
        name = properties.get("QueueName") or ctx.stack.physical_name(
            logical_id, max_length=75 if fifo else 80
        )
        if fifo and not str(name).endswith(".fifo"):
            name = f"{name}.fifo"
        attributes = {_ATTRIBUTES[k]: text(v) for k, v in properties.items() if k in _ATTRIBUTES}
        for key, attribute in _JSON_ATTRIBUTES.items():
            if key in properties:
                attributes[attribute] = json.dumps(_redrive_numbers(properties[key]))
        # CreateQueue is idempotent for identical attributes: provisioning an already running
        # local cloud again (the invoke command does) finds the same queue.
        response = ctx.aws.client("sqs").create_queue(
            QueueName=str(name), Attributes=attributes, tags=tag_dict(properties.get("Tags"))
        )
        url = response["QueueUrl"]
        return Provisioned(
            type=self.resource_type,
            ref=url,
            attributes={
                "Arn": ctx.arn("sqs", str(name)),
                "QueueName": str(name),
                "QueueUrl": url,
            },
        )


def _redrive_numbers(policy: Any) -> Any:
    # maxReceiveCount may come from a Ref to a Number parameter, which resolves to text.
    if isinstance(policy, dict) and "maxReceiveCount" in policy:
        return {**policy, "maxReceiveCount": int(policy["maxReceiveCount"])}
    return policy


class QueuePolicyProvisioner(PolicyProvisioner):
    resource_type = "AWS::SQS::QueuePolicy"
    applied = frozenset({"Queues", "PolicyDocument"})
    targets = "Queues"

    def attach(self, ctx: ProvisionContext, target: str, document: str) -> None:
        ctx.aws.client("sqs").set_queue_attributes(QueueUrl=target, Attributes={"Policy": document})
