"""EventBridge Scheduler: AWS::Scheduler::ScheduleGroup and AWS::Scheduler::Schedule, stored in
moto (which never fires them: offload_local.scheduler does, from what is stored here)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from offload.expressions import ScheduleExpressionError, parse, time_zone
from offload_local.errors import ProvisionError, UnsupportedResourceError
from offload_local.provision.base import ProvisionContext, Provisioner, error_code
from offload_local.provision.resources import Provisioned

_DOCUMENTATION = "documentation only"
#: Target properties fired as AWS would, and those that change nothing locally.
_TARGET_APPLIED = frozenset({"Arn", "RoleArn", "Input"})
_TARGET_IGNORED = {
    "RetryPolicy": "sending to a local queue is not retried for hours; a failure is logged",
    "DeadLetterConfig": "sending to a local queue is not retried into a dead-letter queue",
}


class ScheduleGroupProvisioner(Provisioner):
    resource_type = "AWS::Scheduler::ScheduleGroup"
    applied = frozenset({"Name"})
    ignored: ClassVar[Mapping[str, str]] = {"Tags": _DOCUMENTATION}

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        name = str(properties.get("Name") or ctx.stack.physical_name(logical_id, 64))
        client = ctx.aws.client("scheduler")
        try:
            arn = client.create_schedule_group(Name=name)["ScheduleGroupArn"]
        except Exception as exc:
            if error_code(exc) != "ConflictException":
                raise
            arn = client.get_schedule_group(Name=name)["Arn"]
        return Provisioned(type=self.resource_type, ref=name, attributes={"Arn": arn})


class ScheduleProvisioner(Provisioner):
    resource_type = "AWS::Scheduler::Schedule"
    applied = frozenset(
        {
            "Name",
            "GroupName",
            "ScheduleExpression",
            "ScheduleExpressionTimezone",
            "FlexibleTimeWindow",
            "State",
            "Target",
        }
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "Description": _DOCUMENTATION,
        "KmsKeyArn": "moto keeps the input unencrypted; nothing leaves this machine",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        where = f"{logical_id} ({self.resource_type})"
        target = dict(properties["Target"])
        unknown = sorted(set(target) - _TARGET_APPLIED - set(_TARGET_IGNORED))
        if unknown:
            raise UnsupportedResourceError(
                f"{where}: the local cloud does not implement Target.{', Target.'.join(unknown)}"
            )
        if ":sqs:" not in str(target["Arn"]):
            raise UnsupportedResourceError(f"{where}: only SQS targets fire locally")
        window = dict(properties["FlexibleTimeWindow"])
        if window.get("Mode") != "OFF":
            # A flexible window fires at a random time within it: not emulated, so refused.
            raise UnsupportedResourceError(
                f"{where}: only FlexibleTimeWindow Mode OFF fires locally"
            )
        expression = str(properties["ScheduleExpression"])
        timezone = str(properties.get("ScheduleExpressionTimezone", "UTC"))
        try:
            # What EventBridge Scheduler would refuse to create, refused here by the same parser
            # that fires the schedule.
            parse(expression)
            time_zone(timezone)
        except ScheduleExpressionError as exc:
            raise ProvisionError(f"{where}: {exc}") from None
        name = str(properties.get("Name") or ctx.stack.physical_name(logical_id, 64))
        group = str(properties.get("GroupName") or "default")
        request: dict[str, Any] = {
            "Name": name,
            "GroupName": group,
            "ScheduleExpression": expression,
            "ScheduleExpressionTimezone": timezone,
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "State": str(properties.get("State", "ENABLED")),
            "Target": {k: target[k] for k in _TARGET_APPLIED if k in target},
        }
        client = ctx.aws.client("scheduler")
        try:
            arn = client.create_schedule(**request)["ScheduleArn"]
        except Exception as exc:
            if error_code(exc) != "ConflictException":
                raise
            arn = client.update_schedule(**request)["ScheduleArn"]
        return Provisioned(type=self.resource_type, ref=name, attributes={"Arn": arn})
