"""DynamoDB: AWS::DynamoDB::Table, including TTL and point-in-time recovery (separate API calls)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.provision.base import (
    ProvisionContext,
    Provisioner,
    boolean,
    error_code,
    tag_dict,
)
from offload_local.provision.resources import Provisioned

# Properties passed to CreateTable unchanged: CloudFormation and the API share their shape.
_SAME_SHAPE = (
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
    "TableClass",
    "DeletionProtectionEnabled",
)


class TableProvisioner(Provisioner):
    resource_type = "AWS::DynamoDB::Table"
    applied = frozenset(
        {
            *_SAME_SHAPE,
            "TableName",
            "ProvisionedThroughput",
            "SSESpecification",
            "StreamSpecification",
            "TimeToLiveSpecification",
            "PointInTimeRecoverySpecification",
            "Tags",
        }
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "ContributorInsightsSpecification": "CloudWatch Contributor Insights has no local use",
        "KinesisStreamSpecification": "no Kinesis locally",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        client = ctx.aws.client("dynamodb")
        name = str(properties.get("TableName") or ctx.stack.physical_name(logical_id, 255))
        request: dict[str, Any] = {k: properties[k] for k in _SAME_SHAPE if k in properties}
        request["TableName"] = name
        if "ProvisionedThroughput" in properties:
            request["ProvisionedThroughput"] = {
                k: int(v) for k, v in properties["ProvisionedThroughput"].items()
            }
        if "SSESpecification" in properties:
            sse = properties["SSESpecification"]
            request["SSESpecification"] = {
                "Enabled": boolean(sse.get("SSEEnabled", False)),
                **{k: sse[k] for k in ("SSEType", "KMSMasterKeyId") if k in sse},
            }
        if "StreamSpecification" in properties:
            request["StreamSpecification"] = {
                "StreamEnabled": True,
                "StreamViewType": properties["StreamSpecification"]["StreamViewType"],
            }
        if "Tags" in properties:
            tags = tag_dict(properties["Tags"])
            request["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        try:
            table = client.create_table(**request)["TableDescription"]
        except Exception as exc:
            if error_code(exc) != "ResourceInUseException":
                raise
            # Already there: the local cloud is being provisioned again (see the invoke command).
            table = client.describe_table(TableName=name)["Table"]
        if "TimeToLiveSpecification" in properties:
            ttl = properties["TimeToLiveSpecification"]
            client.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={
                    "AttributeName": ttl["AttributeName"],
                    "Enabled": boolean(ttl.get("Enabled", False)),
                },
            )
        if "PointInTimeRecoverySpecification" in properties:
            pitr = properties["PointInTimeRecoverySpecification"]
            client.update_continuous_backups(
                TableName=name,
                PointInTimeRecoverySpecification={
                    "PointInTimeRecoveryEnabled": boolean(
                        pitr.get("PointInTimeRecoveryEnabled", False)
                    )
                },
            )
        attributes = {"Arn": table["TableArn"]}
        if "LatestStreamArn" in table:
            attributes["StreamArn"] = table["LatestStreamArn"]
        return Provisioned(type=self.resource_type, ref=name, attributes=attributes)
