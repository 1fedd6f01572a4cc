"""CloudWatch Logs: AWS::Logs::LogGroup, created in moto with its retention.

Nothing writes to it locally: function output and the HTTP API's requests go to the console.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.provision.base import ProvisionContext, Provisioner, error_code, tag_dict
from offload_local.provision.resources import Provisioned


class LogGroupProvisioner(Provisioner):
    resource_type = "AWS::Logs::LogGroup"
    applied = frozenset({"LogGroupName", "RetentionInDays", "KmsKeyId", "LogGroupClass", "Tags"})
    ignored: ClassVar[Mapping[str, str]] = {
        "DataProtectionPolicy": "no log events are written locally, so none to mask",
        "FieldIndexPolicies": "no log events are written locally, so none to index",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        logs = ctx.aws.client("logs")
        name = str(properties.get("LogGroupName") or ctx.stack.physical_name(logical_id, 512))
        request: dict[str, Any] = {"logGroupName": name}
        if "KmsKeyId" in properties:
            request["kmsKeyId"] = str(properties["KmsKeyId"])
        if "LogGroupClass" in properties:
            request["logGroupClass"] = str(properties["LogGroupClass"])
        if "Tags" in properties:
            request["tags"] = tag_dict(properties["Tags"])
        try:
            logs.create_log_group(**request)
        except Exception as exc:
            if error_code(exc) != "ResourceAlreadyExistsException":
                raise
        if "RetentionInDays" in properties:
            logs.put_retention_policy(
                logGroupName=name, retentionInDays=int(properties["RetentionInDays"])
            )
        # CloudFormation's Arn ends in ":*" (every stream of the group), as here.
        return Provisioned(
            type=self.resource_type,
            ref=name,
            attributes={"Arn": ctx.arn("logs", f"log-group:{name}:*")},
        )
