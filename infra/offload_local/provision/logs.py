"""CloudWatch Logs: AWS::Logs::LogGroup, created in moto with its retention, and
AWS::Logs::MetricFilter, stored on its group.

Nothing writes to them locally: function output and the HTTP API's requests go to the console,
so no filter ever counts anything; they exist so they can be inspected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.errors import UnsupportedResourceError
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


# A metric transformation's properties, as the API names them.
_TRANSFORMATION_KEYS = {
    "MetricName": "metricName",
    "MetricNamespace": "metricNamespace",
    "MetricValue": "metricValue",
    "DefaultValue": "defaultValue",
    "Unit": "unit",
}


class MetricFilterProvisioner(Provisioner):
    resource_type = "AWS::Logs::MetricFilter"
    applied = frozenset({"FilterName", "FilterPattern", "LogGroupName", "MetricTransformations"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        transformations = [
            _transformation(logical_id, t) for t in properties["MetricTransformations"]
        ]
        name = str(properties.get("FilterName") or ctx.stack.physical_name(logical_id, 512))
        # PutMetricFilter creates or replaces: provisioning twice is harmless.
        ctx.aws.client("logs").put_metric_filter(
            logGroupName=str(properties["LogGroupName"]),
            filterName=name,
            filterPattern=str(properties["FilterPattern"]),
            metricTransformations=transformations,
        )
        return Provisioned(
            type=self.resource_type,
            ref=name,
            note="no log events are written locally: the filter never counts",
        )


def _transformation(logical_id: str, transformation: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(transformation) - set(_TRANSFORMATION_KEYS) - {"Dimensions"})
    if unknown:
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::Logs::MetricFilter): metric transformation keys "
            f"{', '.join(unknown)} are not implemented"
        )
    out: dict[str, Any] = {
        _TRANSFORMATION_KEYS[k]: v for k, v in transformation.items() if k in _TRANSFORMATION_KEYS
    }
    out["metricValue"] = str(out["metricValue"])
    if "defaultValue" in out:
        out["defaultValue"] = float(out["defaultValue"])
    if "Dimensions" in transformation:
        out["dimensions"] = {str(d["Key"]): str(d["Value"]) for d in transformation["Dimensions"]}
    return out
