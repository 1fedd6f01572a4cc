"""CloudWatch: AWS::CloudWatch::Alarm, created so it can be inspected (nothing evaluates it), and
AWS::CloudWatch::Dashboard, stored as CloudFormation stores it (PutDashboard)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offload_local.provision.base import ProvisionContext, Provisioner, boolean
from offload_local.provision.resources import Provisioned

_INTEGERS = ("Period", "EvaluationPeriods", "DatapointsToAlarm")
_SAME_SHAPE = (
    "AlarmDescription",
    "AlarmActions",
    "OKActions",
    "InsufficientDataActions",
    "MetricName",
    "Namespace",
    "Statistic",
    "ExtendedStatistic",
    "Dimensions",
    "Unit",
    "ComparisonOperator",
    "TreatMissingData",
    "EvaluateLowSampleCountPercentile",
    "Metrics",
    "ThresholdMetricId",
)


class AlarmProvisioner(Provisioner):
    resource_type = "AWS::CloudWatch::Alarm"
    applied = frozenset({*_INTEGERS, *_SAME_SHAPE, "AlarmName", "Threshold", "ActionsEnabled"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        name = str(properties.get("AlarmName") or ctx.stack.physical_name(logical_id, 255))
        request: dict[str, Any] = {k: properties[k] for k in _SAME_SHAPE if k in properties}
        request.update({k: int(properties[k]) for k in _INTEGERS if k in properties})
        if "Threshold" in properties:
            request["Threshold"] = float(properties["Threshold"])
        if "ActionsEnabled" in properties:
            request["ActionsEnabled"] = boolean(properties["ActionsEnabled"])
        # PutMetricAlarm creates or replaces: provisioning twice is harmless.
        ctx.aws.client("cloudwatch").put_metric_alarm(AlarmName=name, **request)
        return Provisioned(
            type=self.resource_type,
            ref=name,
            attributes={"Arn": ctx.arn("cloudwatch", f"alarm:{name}")},
        )


class DashboardProvisioner(Provisioner):
    resource_type = "AWS::CloudWatch::Dashboard"
    applied = frozenset({"DashboardName", "DashboardBody"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        name = str(properties.get("DashboardName") or ctx.stack.physical_name(logical_id, 255))
        # PutDashboard checks the body is a dashboard, as CloudFormation's create does.
        ctx.aws.client("cloudwatch").put_dashboard(
            DashboardName=name, DashboardBody=str(properties["DashboardBody"])
        )
        return Provisioned(
            type=self.resource_type,
            ref=name,
            attributes={"Arn": ctx.arn("cloudwatch", f"dashboard/{name}", region=False)},
        )
