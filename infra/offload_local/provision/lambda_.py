"""Lambda: functions and event source mappings are run by the local emulators rather than
created in moto (moto would want Docker to invoke them); permissions only matter to AWS."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from offload_local.errors import UnsupportedResourceError
from offload_local.functions.config import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, FunctionConfig
from offload_local.provision.base import ProvisionContext, Provisioner, boolean, text
from offload_local.provision.deployment import EventSourceMapping
from offload_local.provision.resources import Provisioned

_NO_LOCAL_EFFECT = "has no effect on a local process"


class FunctionProvisioner(Provisioner):
    resource_type = "AWS::Lambda::Function"
    applied = frozenset(
        {
            "FunctionName",
            "Handler",
            "Runtime",
            "Code",
            "Timeout",
            "MemorySize",
            "Environment",
            "ReservedConcurrentExecutions",
            "Role",
            "LoggingConfig",
        }
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "Description": "documentation only",
        "Tags": "documentation only",
        "Architectures": "the local interpreter's architecture is used",
        "TracingConfig": "X-Ray is off locally (AWS_SAM_LOCAL is set, as sam local does)",
        "EphemeralStorage": _NO_LOCAL_EFFECT,
        "DeadLetterConfig": "for asynchronous invocations, which the local cloud never makes",
        "VpcConfig": _NO_LOCAL_EFFECT,
        "KmsKeyArn": _NO_LOCAL_EFFECT,
        "SnapStart": _NO_LOCAL_EFFECT,
        "RuntimeManagementConfig": _NO_LOCAL_EFFECT,
        "FileSystemConfigs": _NO_LOCAL_EFFECT,
        "CodeSigningConfigArn": _NO_LOCAL_EFFECT,
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        runtime = str(properties.get("Runtime", ""))
        if not runtime.startswith("python"):
            raise UnsupportedResourceError(
                f"{logical_id} (AWS::Lambda::Function): runtime {runtime or 'none (image?)'} "
                "cannot run locally; only python runtimes do"
            )
        logging = properties.get("LoggingConfig", {})
        if set(logging) - {"LogGroup"}:
            # Log format and levels change what the runtime prints: not emulated, so refused.
            raise UnsupportedResourceError(
                f"{logical_id} (AWS::Lambda::Function): LoggingConfig."
                f"{', '.join(sorted(set(logging) - {'LogGroup'}))} is not implemented locally "
                "(only LogGroup; logs go to the console)"
            )
        name = str(properties.get("FunctionName") or ctx.stack.physical_name(logical_id, 64))
        arn = ctx.arn("lambda", f"function:{name}")
        reserved = properties.get("ReservedConcurrentExecutions")
        function = FunctionConfig(
            logical_id=logical_id,
            name=name,
            arn=arn,
            handler=str(properties["Handler"]),
            runtime=runtime,
            code_dir=_code_dir(ctx, logical_id),
            timeout=int(properties.get("Timeout", DEFAULT_TIMEOUT)),
            memory_mb=int(properties.get("MemorySize", DEFAULT_MEMORY_MB)),
            variables={
                str(k): text(v)
                for k, v in properties.get("Environment", {}).get("Variables", {}).items()
            },
            reserved_concurrency=None if reserved is None else int(reserved),
            # The function sees it (AWS_LAMBDA_LOG_GROUP_NAME, its context); logs still go to
            # the console.
            log_group_name=str(logging["LogGroup"]) if "LogGroup" in logging else None,
        )
        return Provisioned(
            type=self.resource_type, ref=name, attributes={"Arn": arn}, emulated=function
        )


def _code_dir(ctx: ProvisionContext, logical_id: str) -> Path:
    try:
        return ctx.code_dirs[logical_id]
    except KeyError:
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::Lambda::Function): its code is not a local folder (CodeUri)"
        ) from None


class EventSourceMappingProvisioner(Provisioner):
    resource_type = "AWS::Lambda::EventSourceMapping"
    applied = frozenset(
        {
            "EventSourceArn",
            "FunctionName",
            "BatchSize",
            "MaximumBatchingWindowInSeconds",
            "FunctionResponseTypes",
            "ScalingConfig",
            "Enabled",
        }
    )
    ignored: ClassVar[Mapping[str, str]] = {"Tags": "documentation only"}

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        source = str(properties["EventSourceArn"])
        if ":sqs:" not in source:
            raise UnsupportedResourceError(
                f"{logical_id} (AWS::Lambda::EventSourceMapping): only SQS sources run locally, "
                f"not {source}"
            )
        mapping_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ctx.stack.name}/{logical_id}"))
        concurrency = properties.get("ScalingConfig", {}).get("MaximumConcurrency")
        mapping = EventSourceMapping(
            logical_id=logical_id,
            uuid=mapping_id,
            function=str(properties["FunctionName"]),
            queue_arn=source,
            batch_size=int(properties.get("BatchSize", 10)),
            batching_window_seconds=int(properties.get("MaximumBatchingWindowInSeconds", 0)),
            report_batch_item_failures="ReportBatchItemFailures"
            in properties.get("FunctionResponseTypes", []),
            maximum_concurrency=None if concurrency is None else int(concurrency),
            enabled=boolean(properties.get("Enabled", True)),
        )
        return Provisioned(
            type=self.resource_type,
            ref=mapping_id,
            attributes={"Id": mapping_id},
            emulated=mapping,
        )


class PermissionProvisioner(Provisioner):
    resource_type = "AWS::Lambda::Permission"
    applied = frozenset()
    ignored: ClassVar[Mapping[str, str]] = dict.fromkeys(
        (
            "Action",
            "FunctionName",
            "Principal",
            "SourceArn",
            "SourceAccount",
            "EventSourceToken",
            "PrincipalOrgID",
            "FunctionUrlAuthType",
        ),
        "the local gateway and pollers call functions directly; IAM is not enforced",
    )

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        return Provisioned(
            type=self.resource_type,
            ref=ctx.stack.physical_name(logical_id),
            note="recorded only: the local gateway invokes functions directly",
        )
