"""Provisioning: every resource of the stack, in dependency order, by its type's provisioner."""

from __future__ import annotations

from collections.abc import Callable

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.errors import InfraError, ProvisionError, UnsupportedResourceError
from offload_local.provision.apigateway import HttpApiProvisioner, StageProvisioner
from offload_local.provision.base import ProvisionContext, Provisioner
from offload_local.provision.cloudwatch import AlarmProvisioner, DashboardProvisioner
from offload_local.provision.cognito import (
    UserPoolClientProvisioner,
    UserPoolGroupProvisioner,
    UserPoolProvisioner,
)
from offload_local.provision.deployment import Deployment
from offload_local.provision.dynamodb import TableProvisioner
from offload_local.provision.iam import RoleProvisioner
from offload_local.provision.lambda_ import (
    EventSourceMappingProvisioner,
    FunctionProvisioner,
    PermissionProvisioner,
)
from offload_local.provision.logs import LogGroupProvisioner, MetricFilterProvisioner
from offload_local.provision.resources import Registry
from offload_local.provision.s3 import BucketPolicyProvisioner, BucketProvisioner
from offload_local.provision.scheduler import ScheduleGroupProvisioner, ScheduleProvisioner
from offload_local.provision.ses import (
    ConfigurationSetEventDestinationProvisioner,
    ConfigurationSetProvisioner,
    EmailIdentityProvisioner,
)
from offload_local.provision.sns import (
    SubscriptionProvisioner,
    TopicPolicyProvisioner,
    TopicProvisioner,
)
from offload_local.provision.sqs import QueuePolicyProvisioner, QueueProvisioner
from offload_local.template.stack import Stack

PROVISIONERS: dict[str, Provisioner] = {
    p.resource_type: p
    for p in (
        QueueProvisioner(),
        QueuePolicyProvisioner(),
        BucketProvisioner(),
        BucketPolicyProvisioner(),
        TableProvisioner(),
        EmailIdentityProvisioner(),
        ConfigurationSetProvisioner(),
        ConfigurationSetEventDestinationProvisioner(),
        TopicProvisioner(),
        SubscriptionProvisioner(),
        TopicPolicyProvisioner(),
        AlarmProvisioner(),
        DashboardProvisioner(),
        LogGroupProvisioner(),
        MetricFilterProvisioner(),
        UserPoolProvisioner(),
        UserPoolClientProvisioner(),
        UserPoolGroupProvisioner(),
        RoleProvisioner(),
        FunctionProvisioner(),
        EventSourceMappingProvisioner(),
        PermissionProvisioner(),
        HttpApiProvisioner(),
        StageProvisioner(),
        ScheduleGroupProvisioner(),
        ScheduleProvisioner(),
    )
}


def check_supported(stack: Stack) -> None:
    """Refuse the stack before anything is created if any resource type has no provisioner."""
    for resource in stack.resources():
        if resource.type not in PROVISIONERS:
            raise UnsupportedResourceError(
                f"{resource.logical_id}: resource type {resource.type} is not supported by the "
                f"local cloud (supported: {', '.join(sorted(PROVISIONERS))})"
            )


def provision(
    stack: Stack,
    aws: AwsEndpoint,
    progress: Callable[[str], None] | None = None,
) -> Deployment:
    """Create the stack's resources in the AWS endpoint; return what the emulators run."""
    check_supported(stack)
    registry = Registry()
    context = ProvisionContext(stack=stack, aws=aws, registry=registry)
    resolver = stack.resolver(registry)
    notes: list[str] = []
    for resource in stack.resources():
        provisioner = PROVISIONERS[resource.type]
        try:
            properties = resolver.resolve(dict(resource.properties))
            provisioned = provisioner.provision(context, resource.logical_id, properties)
        except InfraError:
            raise
        except Exception as exc:
            raise ProvisionError(f"{resource.logical_id} ({resource.type}): {exc}") from exc
        registry.add(resource.logical_id, provisioned)
        if provisioned.note:
            notes.append(f"{resource.logical_id}: {provisioned.note}")
        if progress is not None:
            progress(f"{resource.logical_id} ({resource.type})")
    outputs = {
        name: resolver.resolve(output["Value"])
        for name, output in stack.translated.outputs.items()
        if "Condition" not in output or stack.condition(str(output["Condition"]))
    }
    deployment = Deployment(
        stack=stack, aws=aws, registry=registry, outputs=outputs, notes=tuple(notes)
    )
    _check_targets(deployment)
    return deployment


def _check_targets(deployment: Deployment) -> None:
    # A mapping or route pointing outside the template would only fail at the first event.
    for mapping in deployment.event_source_mappings.values():
        deployment.function(mapping.function)
    for api in deployment.http_apis.values():
        for route in api.routes:
            deployment.function(route.function_arn)
