"""What a function's role lets it do, read from the template's identity policies.

A role of the template is read whole: its inline Policies, its ManagedPolicyArns, and the
AWS::IAM::Policy / ManagedPolicy resources attached to it. A SAM function without a Role gets
the role SAM generates: its Policies (statements, SAM policy templates, managed policies) and
the managed policies SAM attaches by itself (logs; X-Ray for active tracing; its SQS, Kinesis
or DynamoDB events' execution roles; the VPC one).

When that cannot be known offline (a role from outside the template, a managed policy not in
MANAGED_POLICIES, a SAM policy template the installed SAM translator does not know), a
function's permissions are unknown and the rules that need them say nothing: they report what
a role surely lacks, never what it might. Conditions are not evaluated: a conditional Allow
counts as allowed, a conditional Deny as no denial. Resource-based policies (a queue policy)
are not read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from offload.rules.arns import Arns, action_matches, matches
from offload.rules.wiring import SAM_FUNCTION, Function, Wiring, referenced

#: Actions granted on every resource by the AWS managed policies a template commonly attaches
#: (the ones SAM attaches by itself among them), by name; from each policy's current version.
MANAGED_POLICIES: Mapping[str, tuple[str, ...]] = {
    "AWSLambdaBasicExecutionRole": (
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AWSXrayWriteOnlyAccess": (
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "xray:GetSamplingStatisticSummaries",
    ),
    # What SAM attaches for an SQS event: receive and delete, but not ChangeMessageVisibility.
    "AWSLambdaSQSQueueExecutionRole": (
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AWSLambdaKinesisExecutionRole": (
        "kinesis:DescribeStream",
        "kinesis:DescribeStreamSummary",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
        "kinesis:ListStreams",
        "kinesis:SubscribeToShard",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AWSLambdaDynamoDBExecutionRole": (
        "dynamodb:DescribeStream",
        "dynamodb:GetRecords",
        "dynamodb:GetShardIterator",
        "dynamodb:ListStreams",
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    ),
    "AWSLambdaVPCAccessExecutionRole": (
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
    ),
    "AmazonSQSFullAccess": ("sqs:*",),
    "AmazonDynamoDBFullAccess": ("dynamodb:*",),
}
#: The managed policy SAM attaches to a function's role for each kind of event.
SAM_EVENT_POLICIES = {
    "SQS": "AWSLambdaSQSQueueExecutionRole",
    "Kinesis": "AWSLambdaKinesisExecutionRole",
    "DynamoDB": "AWSLambdaDynamoDBExecutionRole",
}
_POLICY_RESOURCES = ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::RolePolicy")


class UnknownPermissionsError(Exception):
    """Raise when a role's permissions depend on something the template does not show."""


@dataclass(frozen=True)
class Statement:
    """One statement of an identity policy, its resources as ARN patterns."""

    allow: bool
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditional: bool
    # NotAction / NotResource: the statement covers what they do not list.
    not_actions: bool = False
    not_resources: bool = False

    def covers(self, action: str, arn: str) -> bool:
        acted = any(action_matches(pattern, action) for pattern in self.actions)
        placed = any(matches(pattern, arn) for pattern in self.resources)
        return acted != self.not_actions and placed != self.not_resources


@dataclass(frozen=True)
class Permissions:
    """What a role may do, by its identity policies."""

    role: str
    statements: tuple[Statement, ...]

    def allow(self, action: str, arn: str) -> bool:
        """Whether the role may call `action` on `arn`: some Allow covers it, no Deny does."""
        if any(
            not s.allow and not s.conditional and s.covers(action, arn) for s in self.statements
        ):
            return False
        return any(s.allow and s.covers(action, arn) for s in self.statements)


def permissions(wiring: Wiring, function: Function) -> Permissions | None:
    """The function's permissions, or None when the template does not show them all."""
    arns = Arns(wiring)
    try:
        role = function.properties.get("Role")
        if role is not None:
            logical_id = referenced(role)
            if wiring.type_of(logical_id) != "AWS::IAM::Role" or logical_id is None:
                return None
            return Permissions(logical_id, tuple(_role_statements(wiring, arns, logical_id)))
        if function.type == SAM_FUNCTION:
            name = f"{function.logical_id}Role"
            return Permissions(name, tuple(_sam_role_statements(wiring, arns, function)))
    except UnknownPermissionsError:
        return None
    return None


def _role_statements(wiring: Wiring, arns: Arns, role: str) -> Iterator[Statement]:
    properties = wiring.properties(role)
    for policy in _as_list(properties.get("Policies")):
        if isinstance(policy, Mapping):
            yield from _document(arns, policy.get("PolicyDocument"))
    for arn in _as_list(properties.get("ManagedPolicyArns")):
        yield from _managed(wiring, arns, arn)
    for logical_id, resource in wiring.resources.items():
        if resource["Type"] not in _POLICY_RESOURCES:
            continue
        attached = wiring.properties(logical_id)
        roles = [*_as_list(attached.get("Roles")), attached.get("RoleName")]
        if any(referenced(item) == role for item in roles):
            yield from _document(arns, attached.get("PolicyDocument"))


def _sam_role_statements(wiring: Wiring, arns: Arns, function: Function) -> Iterator[Statement]:
    properties = function.properties
    yield from _named("AWSLambdaBasicExecutionRole")
    if properties.get("Tracing") == "Active":
        yield from _named("AWSXrayWriteOnlyAccess")
    if properties.get("VpcConfig") is not None:
        yield from _named("AWSLambdaVPCAccessExecutionRole")
    events = properties.get("Events")
    for event in (events if isinstance(events, Mapping) else {}).values():
        kind = event.get("Type") if isinstance(event, Mapping) else None
        if kind in SAM_EVENT_POLICIES:
            yield from _named(SAM_EVENT_POLICIES[kind])
    dead_letter = properties.get("DeadLetterQueue")
    if isinstance(dead_letter, Mapping) and dead_letter.get("Type") == "SQS":
        # SAM lets the function send its failed asynchronous invocations there.
        targets = tuple(arns.patterns(dead_letter.get("TargetArn")))
        yield Statement(True, ("sqs:SendMessage",), targets, conditional=False)
    for policy in _as_list(properties.get("Policies")):
        yield from _sam_policy(wiring, arns, policy)


def _sam_policy(wiring: Wiring, arns: Arns, policy: Any) -> Iterator[Statement]:
    if isinstance(policy, str) or (
        isinstance(policy, Mapping) and any(key in policy for key in ("Ref", "Fn::Sub", "Fn::If"))
    ):
        yield from _managed(wiring, arns, policy)
    elif isinstance(policy, Mapping) and "Statement" in policy:
        yield from _document(arns, policy)
    elif isinstance(policy, Mapping) and len(policy) == 1:
        ((template, values),) = policy.items()
        yield from _document(arns, _policy_template(str(template), values))
    else:
        raise UnknownPermissionsError(f"policy {policy!r}")


def _policy_template(name: str, values: Any) -> Any:
    """A SAM policy template's statements, by the SAM translator's own processor."""
    processor = _policy_templates()
    if processor is None or not processor.has(name):
        raise UnknownPermissionsError(f"SAM policy template {name}")
    try:
        return processor.convert(name, values)
    except Exception as exc:  # the translator's own errors: missing or malformed values
        raise UnknownPermissionsError(f"SAM policy template {name}: {exc}") from exc


@cache
def _policy_templates() -> Any:
    try:
        from samtranslator.policy_template_processor.processor import PolicyTemplatesProcessor
    except ImportError:
        return None
    return PolicyTemplatesProcessor(PolicyTemplatesProcessor.get_default_policy_templates_json())


def _managed(wiring: Wiring, arns: Arns, arn: Any) -> Iterator[Statement]:
    logical_id = referenced(arn)
    if wiring.type_of(logical_id) == "AWS::IAM::ManagedPolicy" and logical_id is not None:
        yield from _document(arns, wiring.properties(logical_id).get("PolicyDocument"))
        return
    for text in arns.patterns(arn):
        # `AmazonSQSFullAccess`, or arn:<partition>:iam::aws:policy/[service-role/]<name>.
        _, marker, path = text.partition(":iam::aws:policy/")
        yield from _named(path.rsplit("/", 1)[-1] if marker else text)


def _named(name: str) -> Iterator[Statement]:
    if name not in MANAGED_POLICIES:
        raise UnknownPermissionsError(f"managed policy {name}")
    yield Statement(True, MANAGED_POLICIES[name], ("*",), conditional=False)


def _document(arns: Arns, document: Any) -> Iterator[Statement]:
    if not isinstance(document, Mapping):
        raise UnknownPermissionsError(f"policy document {document!r}")
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, Mapping):
            raise UnknownPermissionsError(f"statement {statement!r}")
        action_key = "NotAction" if "NotAction" in statement else "Action"
        resource_key = "NotResource" if "NotResource" in statement else "Resource"
        yield Statement(
            allow=statement.get("Effect") == "Allow",
            actions=tuple(arns.text(a) for a in _as_list(statement.get(action_key))),
            resources=tuple(
                p for r in _as_list(statement.get(resource_key)) for p in arns.patterns(r)
            ),
            conditional=bool(statement.get("Condition")),
            not_actions=action_key == "NotAction",
            not_resources=resource_key == "NotResource",
        )


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
