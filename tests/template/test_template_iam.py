"""Least privilege: each role may do what its function needs, on this stack's resources only.

Every (action, resource) pair a role's inline policies allow must fit one of the function's
allowances below; a pair that fits none is a finding, and the test names its policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

from app.uploads.files import SWEEP_INDEX, SWEEP_KEY
from tests.template.iam import (
    Grant,
    configuration_set_arn,
    expand,
    grants,
    index_arns,
    object_arns,
    queue_arns,
    role_of,
    ses_identity_arns,
    statements,
    table_arns,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from offload_local.template.translation import Translated

# No Scan: it names no partition key, so a `dynamodb:LeadingKeys` condition (ForAllValues:
# true for no values at all) would not hold it back from any item.
DYNAMODB_READ = frozenset(
    {
        "dynamodb:getitem",
        "dynamodb:batchgetitem",
        "dynamodb:query",
        "dynamodb:describetable",
        "dynamodb:conditioncheckitem",
    }
)
DYNAMODB_WRITE = frozenset(
    {"dynamodb:putitem", "dynamodb:updateitem", "dynamodb:deleteitem", "dynamodb:batchwriteitem"}
)
# IAM has no separate SendMessageBatch action: sqs:SendMessage covers both calls.
SQS_SEND = frozenset({"sqs:sendmessage"})
# What an event source mapping needs, plus ChangeMessageVisibility for retry backoff.
SQS_CONSUME = frozenset(
    {
        "sqs:receivemessage",
        "sqs:deletemessage",
        "sqs:getqueueattributes",
        "sqs:changemessagevisibility",
    }
)

COGNITO_ADMIN_READS = frozenset({"cognito-idp:admingetuser", "cognito-idp:adminlistgroupsforuser"})

# What SAM attaches by itself: logs and X-Ray for `Tracing: Active`. Not the SQS event's
# AWSLambdaSQSQueueExecutionRole (any queue in the account): the template declares the event
# source mapping itself and grants the task queue only.
SAM_MANAGED_POLICIES = frozenset(
    {
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    }
)


def _unconditional(grant: Grant) -> bool:
    return True


#: The key prefixes of the records the API reads and creates (app/table.py): its DynamoDB grants
#: reach those items only, whatever a request could make it ask for.
API_RECORD_PREFIXES = ["TASK#*", "ITEM#*", "WORD#*", "USER#*", "DATASET#*", "FILE#*", "LOG#*"]
API_QUOTA_PREFIXES = ["QUOTA#*"]
#: What the worker's tasks read and write (app/tasks/*): task rows, items (update_search_index,
#: send_item_created_email), search entries, datasets (summarize_dataset), the notification log
#: (write_log). tests/functional/test_table_access.py runs them and checks every call fits.
WORKER_RECORD_PREFIXES = ["TASK#*", "ITEM#*", "WORD#*", "DATASET#*", "LOG#*"]
#: The daily cleanup: the sweep index's one partition (app/uploads/files.py), then file records.
SWEEP_PARTITION = [SWEEP_KEY]
FILE_PREFIX = ["FILE#*"]
#: process_upload: its task row, the file it takes up and completes, and the upload quota it
#: counts each object after a file's first against.
HEAVY_WORKER_RECORD_PREFIXES = ["TASK#*", "FILE#*", "QUOTA#UPLOAD#*"]


def leading_keys(prefixes: list[str]) -> Callable[[Grant], bool]:
    def within(grant: Grant) -> bool:
        expected = {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": prefixes}}
        return dict(grant.condition) == expected

    return within


def passed_to_scheduler(grant: Grant) -> bool:
    """The role may be passed to EventBridge Scheduler only."""
    expected = {"StringEquals": {"iam:PassedToService": "scheduler.amazonaws.com"}}
    return dict(grant.condition) == expected


#: The one-time schedules of tasks due later: in the stack's own group only.
SCHEDULES = frozenset({"arn:aws:scheduler:us-east-1:123456789012:schedule/<TaskScheduleGroup>/*"})


def pins_sender(grant: Grant) -> bool:
    """The grant only lets the role send as the SenderEmail parameter (not a literal address)."""
    expected: dict[str, Any] = {"StringEquals": {"ses:FromAddress": {"Ref": "SenderEmail"}}}
    return dict(grant.condition) == expected


@dataclass(frozen=True)
class Allowance:
    """Something a role may do: these actions, on these resources, under this condition."""

    purpose: str
    actions: frozenset[str]
    resources: frozenset[str]
    condition: Callable[[Grant], bool] = _unconditional

    def covers(self, grant: Grant, action: str, resource: str) -> bool:
        return action in self.actions and resource in self.resources and self.condition(grant)


API_MAY = {
    "enqueue": Allowance("put tasks on TaskQueue", SQS_SEND, frozenset(queue_arns("TaskQueue"))),
    "enqueue_heavy": Allowance(
        "put heavy tasks on HeavyTaskQueue", SQS_SEND, frozenset(queue_arns("HeavyTaskQueue"))
    ),
    # Its owner cancels a scheduled task (and a request answered 503 cancels what SQS took):
    # the API's one update of a task row.
    "cancel": Allowance(
        "cancel its task rows",
        frozenset({"dynamodb:updateitem"}),
        frozenset(table_arns("DataTable")),
        leading_keys(["TASK#*"]),
    ),
    "schedule": Allowance(
        "create and delete one-time schedules in the stack's schedule group",
        frozenset({"scheduler:createschedule", "scheduler:deleteschedule"}),
        SCHEDULES,
    ),
    "pass_scheduler_role": Allowance(
        "pass SchedulerRole, to EventBridge Scheduler only",
        frozenset({"iam:passrole"}),
        frozenset({"<SchedulerRole.Arn>"}),
        passed_to_scheduler,
    ),
    "read": Allowance(
        "read DataTable records the API serves",
        DYNAMODB_READ,
        frozenset(table_arns("DataTable")),
        leading_keys(API_RECORD_PREFIXES),
    ),
    # Beyond "read DataTable": the API creates items and users itself (PutItem, never
    # UpdateItem), deletes only what a request created when SQS refused its tasks (so the
    # client's retry finds nothing half done), takes uploads under uploads/, stores task
    # arguments too large for SQS under payloads/ (the envelope then points there) and links
    # thumbnails.
    "create": Allowance(
        "create DataTable records (a request's task rows in one batch), and take them back "
        "when their tasks were refused",
        frozenset({"dynamodb:putitem", "dynamodb:deleteitem", "dynamodb:batchwriteitem"}),
        frozenset(table_arns("DataTable")),
        leading_keys(API_RECORD_PREFIXES),
    ),
    # Its one update: daily quotas are atomic counters (ADD with a condition).
    "quotas": Allowance(
        "count daily quotas",
        frozenset({"dynamodb:updateitem"}),
        frozenset(table_arns("DataTable")),
        leading_keys(API_QUOTA_PREFIXES),
    ),
    "upload": Allowance(
        "put uploads/ objects",
        frozenset({"s3:putobject"}),
        frozenset(object_arns("UploadBucket", "uploads/")),
    ),
    "payloads": Allowance(
        "put large task arguments under payloads/",
        frozenset({"s3:putobject"}),
        frozenset(object_arns("UploadBucket", "payloads/")),
    ),
    "thumbnails": Allowance(
        "get thumbnails/ objects",
        frozenset({"s3:getobject"}),
        frozenset(object_arns("UploadBucket", "thumbnails/")),
    ),
    # Before a request uses admin powers, the API asks the stack's own pool whether the caller
    # is still an enabled member of the admin group with TOTP MFA on: two reads, that pool only.
    "confirm_admins": Allowance(
        "read a user's groups and MFA settings in the stack's user pool",
        COGNITO_ADMIN_READS,
        frozenset({"<UserPool.Arn>"}),
    ),
}
WORKER_MAY = {
    "records": Allowance(
        "read and write the DataTable records its tasks touch (no delete)",
        frozenset(
            {
                "dynamodb:getitem",
                "dynamodb:putitem",
                "dynamodb:updateitem",
                "dynamodb:batchwriteitem",
            }
        ),
        frozenset(table_arns("DataTable")),
        leading_keys(WORKER_RECORD_PREFIXES),
    ),
    "find_due_uploads": Allowance(
        "query the UploadSweep index's one partition",
        frozenset({"dynamodb:query"}),
        frozenset(index_arns("DataTable", SWEEP_INDEX)),
        leading_keys(SWEEP_PARTITION),
    ),
    "remove_due_uploads": Allowance(
        "delete file records",
        frozenset({"dynamodb:deleteitem"}),
        frozenset(table_arns("DataTable")),
        leading_keys(FILE_PREFIX),
    ),
    "dead_letter": Allowance(
        "send permanent failures to DeadLetterQueue (and no other queue)",
        SQS_SEND,
        frozenset(queue_arns("DeadLetterQueue")),
    ),
    "consume": Allowance(
        "consume TaskQueue only (receive, delete, read attributes, and delay a failed "
        "record's redelivery)",
        SQS_CONSUME,
        frozenset(queue_arns("TaskQueue")),
    ),
    "count_dead_letters": Allowance(
        "read the dead-letter queues' depths (the daily cleanup's report)",
        frozenset({"sqs:getqueueattributes"}),
        frozenset(queue_arns("DeadLetterQueue") | queue_arns("HeavyDeadLetterQueue")),
    ),
    "email": Allowance(
        "ses:SendEmail as SenderEmail only, through the stack's configuration set",
        frozenset({"ses:sendemail"}),
        frozenset(ses_identity_arns()) | {configuration_set_arn("EmailConfigurationSet")},
        pins_sender,
    ),
    "read_payloads": Allowance(
        "get large task arguments under payloads/",
        frozenset({"s3:getobject"}),
        frozenset(object_arns("UploadBucket", "payloads/")),
    ),
}
#: Uploads and thumbnails are the heavy worker's only; it sends no email.
HEAVY_WORKER_MAY = {
    "records": Allowance(
        "read and update task rows, file records and upload quotas",
        frozenset({"dynamodb:getitem", "dynamodb:updateitem"}),
        frozenset(table_arns("DataTable")),
        leading_keys(HEAVY_WORKER_RECORD_PREFIXES),
    ),
    "dead_letter": Allowance(
        "send permanent failures to HeavyDeadLetterQueue (and no other queue)",
        SQS_SEND,
        frozenset(queue_arns("HeavyDeadLetterQueue")),
    ),
    "consume": Allowance(
        "consume HeavyTaskQueue only", SQS_CONSUME, frozenset(queue_arns("HeavyTaskQueue"))
    ),
    "read_uploads": Allowance(
        "get uploads/ objects",
        frozenset({"s3:getobject"}),
        frozenset(object_arns("UploadBucket", "uploads/")),
    ),
    "read_payloads": WORKER_MAY["read_payloads"],
    "write_thumbnails": Allowance(
        "put thumbnails/ objects",
        frozenset({"s3:putobject"}),
        frozenset(object_arns("UploadBucket", "thumbnails/")),
    ),
    "delete_uploads_past_the_quota": Allowance(
        "delete uploads/ objects (one past its owner's daily quota)",
        frozenset({"s3:deleteobject"}),
        frozenset(object_arns("UploadBucket", "uploads/")),
    ),
}
#: What a schedule sends with: the envelope, to a task queue.
SCHEDULER_MAY = {
    "send": Allowance(
        "put tasks on TaskQueue and HeavyTaskQueue",
        SQS_SEND,
        frozenset(queue_arns("TaskQueue") | queue_arns("HeavyTaskQueue")),
    )
}


def role_grants(
    translated: Translated, defaults: dict[str, str], function: str
) -> tuple[str, list[Grant], list[str]]:
    if function in ROLES:
        role = translated.resources[function]
        return (
            function,
            grants(role, defaults, translated),
            list(role["Properties"].get("ManagedPolicyArns", [])),
        )
    logical, role = role_of(translated, function)
    managed = list(role["Properties"].get("ManagedPolicyArns", []))
    return logical, grants(role, defaults, translated), managed


def pairs(grant: Grant) -> list[tuple[str, str]]:
    """Every (action, resource) a grant allows, wildcard actions expanded."""
    actions = sorted(set().union(*(expand(action) for action in grant.actions)))
    return [(action, resource) for action in actions for resource in grant.resources]


def excess(found: list[Grant], allowed: dict[str, Allowance]) -> list[str]:
    return [
        f"{grant.policy}: {action} on {resource}"
        + (f" if {dict(grant.condition)}" if grant.condition else "")
        for grant in found
        for action, resource in pairs(grant) or [("(no action)", "(no resource)")]
        if not any(a.covers(grant, action, resource) for a in allowed.values())
    ]


def can(found: list[Grant], allowance: Allowance, action: str) -> bool:
    """Some grant lets the role do `action` within the allowance."""
    return any(
        allowance.covers(grant, granted, resource)
        for grant in found
        for granted, resource in pairs(grant)
        if granted == action
    )


#: Roles of the stack that are no function's.
ROLES = ("SchedulerRole",)


@pytest.mark.parametrize(
    ("function", "allowed"),
    [
        ("ApiFunction", API_MAY),
        ("WorkerFunction", WORKER_MAY),
        ("HeavyWorkerFunction", HEAVY_WORKER_MAY),
        ("SchedulerRole", SCHEDULER_MAY),
    ],
)
def test_role_grants_nothing_beyond_what_the_function_needs(
    translated: Translated,
    defaults: dict[str, str],
    function: str,
    allowed: dict[str, Allowance],
) -> None:
    # Given the inline policies of the function's role
    role, found, _ = role_grants(translated, defaults, function)
    # When each allowed (action, resource) is matched against what the function needs
    extra = excess(found, allowed)
    # Then nothing is left over
    assert not extra, (
        f"{role} allows more than {function} needs; it may only: "
        + "; ".join(a.purpose for a in allowed.values())
        + ". Outside that:\n  "
        + "\n  ".join(extra)
    )


@pytest.mark.parametrize("function", ["ApiFunction", "WorkerFunction", "HeavyWorkerFunction"])
def test_role_has_only_the_managed_policies_sam_attaches(
    translated: Translated, defaults: dict[str, str], function: str
) -> None:
    role, _, managed = role_grants(translated, defaults, function)
    unexpected = sorted(set(map(str, managed)) - SAM_MANAGED_POLICIES)
    assert not unexpected, f"{role} also has managed policies {unexpected}"


def test_the_api_may_enqueue_and_the_workers_retry_and_dead_letter(
    rule_findings: dict[str, list[str]],
) -> None:
    # The library's template rules: E9105, the API sends to both task queues and writes its
    # tasks' rows (BatchWriteItem, UpdateItem); E9106, each worker changes its queue's message
    # visibility and sends to its dead-letter queue.
    assert rule_findings.get("E9105", []) == []
    assert rule_findings.get("E9106", []) == []


@pytest.mark.parametrize(
    ("function", "allowance", "action"),
    [
        ("ApiFunction", API_MAY["read"], "dynamodb:query"),
        ("WorkerFunction", WORKER_MAY["records"], "dynamodb:putitem"),
        ("WorkerFunction", WORKER_MAY["records"], "dynamodb:batchwriteitem"),
        ("WorkerFunction", WORKER_MAY["find_due_uploads"], "dynamodb:query"),
        ("WorkerFunction", WORKER_MAY["remove_due_uploads"], "dynamodb:deleteitem"),
        ("HeavyWorkerFunction", HEAVY_WORKER_MAY["records"], "dynamodb:updateitem"),
        ("WorkerFunction", WORKER_MAY["email"], "ses:sendemail"),
        ("WorkerFunction", WORKER_MAY["count_dead_letters"], "sqs:getqueueattributes"),
        ("ApiFunction", API_MAY["schedule"], "scheduler:createschedule"),
        ("ApiFunction", API_MAY["schedule"], "scheduler:deleteschedule"),
        ("ApiFunction", API_MAY["pass_scheduler_role"], "iam:passrole"),
        ("ApiFunction", API_MAY["cancel"], "dynamodb:updateitem"),
        ("ApiFunction", API_MAY["confirm_admins"], "cognito-idp:admingetuser"),
        ("ApiFunction", API_MAY["confirm_admins"], "cognito-idp:adminlistgroupsforuser"),
        ("HeavyWorkerFunction", HEAVY_WORKER_MAY["write_thumbnails"], "s3:putobject"),
        (
            "HeavyWorkerFunction",
            HEAVY_WORKER_MAY["delete_uploads_past_the_quota"],
            "s3:deleteobject",
        ),
        ("HeavyWorkerFunction", HEAVY_WORKER_MAY["consume"], "sqs:receivemessage"),
        ("SchedulerRole", SCHEDULER_MAY["send"], "sqs:sendmessage"),
    ],
)
def test_role_can_do_what_the_function_needs(
    translated: Translated,
    defaults: dict[str, str],
    function: str,
    allowance: Allowance,
    action: str,
) -> None:
    role, found, _ = role_grants(translated, defaults, function)
    able = can(found, allowance, action)
    assert able, (
        f"{role} has no {action} grant that fits '{allowance.purpose}' "
        f"(resources {sorted(allowance.resources)}); it has:\n  " + "\n  ".join(map(str, found))
    )


def test_with_another_issuer_the_api_may_read_no_user_pool(
    translated: Translated, defaults: dict[str, str]
) -> None:
    # Given AuthIssuerUrl naming another issuer: the stack has no pool, nor admin powers
    other_issuer = defaults | {
        "AuthIssuerUrl": "https://issuer.example.com",
        "AuthAudience": "some-client",
    }
    # When the API's grants are read with those parameters
    _, found, _ = role_grants(translated, other_issuer, "ApiFunction")
    # Then none of them is Cognito's
    cognito = [str(g) for g in found if any(a.startswith("cognito-idp:") for a in g.actions)]
    assert not cognito, cognito


FUNCTIONS = ("ApiFunction", "WorkerFunction", "HeavyWorkerFunction")


@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_table_grant_is_held_to_key_prefixes(
    translated: Translated, defaults: dict[str, str], function: str
) -> None:
    # Given every grant of a DynamoDB action
    role, found, _ = role_grants(translated, defaults, function)
    table_grants = [g for g in found if any(a.startswith("dynamodb:") for a in g.actions)]
    # Then each names the key prefixes it reaches, and none lets a Scan (no key) past them
    unheld = [str(g) for g in table_grants if set(g.condition) != {"ForAllValues:StringLike"}]
    scans = [str(g) for g in table_grants if any("dynamodb:scan" in expand(a) for a in g.actions)]
    assert table_grants, f"{role} has no DynamoDB grant"
    assert not unheld, f"{role} reaches any item through:\n  " + "\n  ".join(unheld)
    assert not scans, f"{role} may Scan, past any LeadingKeys condition:\n  " + "\n  ".join(scans)


def test_no_allow_statement_has_a_wildcard_action_resource_or_principal(
    translated: Translated,
) -> None:
    # AWS-managed policies attached by SAM are ARNs, not statements: they are not walked here.
    # Deny statements (a bucket's DenyInsecureTransport on s3:*) only take away and are fine.
    findings = []
    for logical, statement in statements(translated):
        if statement.get("Effect") != "Allow":
            continue
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        resources = statement.get("Resource", [])
        resources = resources if isinstance(resources, list) else [resources]
        if "*" in actions or any(str(a).endswith(":*") for a in actions):
            findings.append(f"{logical}: Action {actions}")
        if "*" in resources:
            findings.append(f"{logical}: Resource '*' with {actions}")
        if statement.get("Principal") in ("*", {"AWS": "*"}):
            findings.append(f"{logical}: Principal '*' with {actions}")
        if "NotAction" in statement or "NotResource" in statement:
            findings.append(f"{logical}: NotAction/NotResource in {statement}")
    assert not findings, "Allow statements with a wildcard:\n  " + "\n  ".join(findings)


def test_roles_are_assumed_by_lambda_or_by_this_stacks_schedules_only(
    translated: Translated,
) -> None:
    for logical, role in translated.of_type("AWS::IAM::Role").items():
        document = role["Properties"]["AssumeRolePolicyDocument"]
        principals = [s.get("Principal") for s in document["Statement"]]
        if logical in ROLES:
            # The scheduler's role: its schedules only, not another account's (confused deputy).
            [statement] = document["Statement"]
            assert principals == [{"Service": "scheduler.amazonaws.com"}], logical
            assert statement["Condition"] == {
                "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                "ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["TaskScheduleGroup", "Arn"]}},
            }
            continue
        assert principals == [{"Service": ["lambda.amazonaws.com"]}], (
            f"{logical} may be assumed by {principals}"
        )
