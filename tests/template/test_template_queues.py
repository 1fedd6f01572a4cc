"""Each task queue, its dead-letter queue and its worker's event source mapping: the quick
one (TaskQueue) and the heavy one (HeavyTaskQueue) hold the same invariants.

The numbers come from DESIGN.md (platform facts) and from Lambda's batch-response rules: without
ReportBatchItemFailures a partial failure deletes the failed records. What the library's
template rules check (offload.rules: attempts, visibility, batch item failures, dead-letter
retention) is asserted through them, on this template; the rest is checked here.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
from cfnlint.decode import decode
from cfnlint.template import Template

from offload.rules.wiring import Wiring
from tests.template.values import (
    as_int,
    boundary_values,
    referenced_parameters,
)

if TYPE_CHECKING:
    from collections.abc import Iterator

    from offload_local.template.translation import Translated


@dataclass(frozen=True)
class TaskQueue:
    """A task queue, its dead-letter queue and the worker its mapping drives."""

    name: str
    dead_letter_queue: str
    worker: str


QUEUES = [
    TaskQueue("TaskQueue", "DeadLetterQueue", "WorkerFunction"),
    TaskQueue("HeavyTaskQueue", "HeavyDeadLetterQueue", "HeavyWorkerFunction"),
]
MIN_RECEIVE_COUNT = 5
SQS_DEFAULT_RETENTION = 345_600  # 4 days, when MessageRetentionPeriod is not set
SQS_MAX_VISIBILITY_TIMEOUT = 43_200  # 12 hours


def queue(translated: Translated, name: str) -> dict[str, Any]:
    resource = translated.resources.get(name)
    assert resource is not None, f"template has no {name}"
    assert resource["Type"] == "AWS::SQS::Queue", f"{name} is a {resource['Type']}"
    properties: dict[str, Any] = resource.get("Properties", {})
    return properties


def worker_mapping(translated: Translated, task_queue: TaskQueue) -> dict[str, Any]:
    """The one event source mapping that feeds the worker from its task queue."""
    worker = task_queue.worker
    mappings = [
        resource["Properties"]
        for resource in translated.of_type("AWS::Lambda::EventSourceMapping").values()
        if resource["Properties"].get("FunctionName") == {"Ref": worker}
    ]
    assert len(mappings) == 1, f"{worker} has {len(mappings)} event source mappings, expected 1"
    mapping: dict[str, Any] = mappings[0]
    assert mapping.get("EventSourceArn") == {"Fn::GetAtt": [task_queue.name, "Arn"]}, (
        f"{worker}'s event source is {mapping.get('EventSourceArn')}, not {task_queue.name}"
    )
    return mapping


def parameter_combinations(
    translated: Translated, defaults: dict[str, str], *values: Any
) -> Iterator[dict[str, str]]:
    """Defaults, with every parameter the values depend on set to each of its boundaries."""
    names = sorted(set().union(*(referenced_parameters(v, translated) for v in values)))
    choices = [boundary_values(n, translated.parameters[n]) for n in names]
    for combination in itertools.product(*choices):
        yield {**defaults, **dict(zip(names, combination, strict=True))}


@pytest.fixture(params=QUEUES, ids=lambda task_queue: task_queue.name)
def task_queue(request: pytest.FixtureRequest) -> TaskQueue:
    """Each task queue in turn: every test that takes it holds for both."""
    chosen: TaskQueue = request.param
    return chosen


def redrive_policy(translated: Translated, task_queue: TaskQueue) -> dict[str, Any]:
    policy = queue(translated, task_queue.name).get("RedrivePolicy")
    assert policy is not None, f"{task_queue.name} has no RedrivePolicy: failed tasks retry forever"
    # CloudFormation accepts the policy as an object or as a JSON string.
    parsed: dict[str, Any] = json.loads(policy) if isinstance(policy, str) else policy
    return parsed


@pytest.mark.parametrize("name", [n for q in QUEUES for n in (q.name, q.dead_letter_queue)])
def test_queue_is_encrypted_at_rest(translated: Translated, name: str) -> None:
    properties = queue(translated, name)
    sse_sqs = properties.get("SqsManagedSseEnabled") is True
    kms = bool(properties.get("KmsMasterKeyId"))
    assert sse_sqs or kms, (
        f"{name} is not encrypted: set SqsManagedSseEnabled: true or a KmsMasterKeyId "
        f"(task arguments include email addresses)"
    )


def test_the_template_rules_see_both_workers_their_queues_and_the_api(
    translated: Translated,
) -> None:
    # The rules below pass only because they judge these parts: they must recognise them in
    # the template as cfn-lint gives it to them (SAM's Globals merged into each function).
    template, errors = decode(str(translated.source))
    assert not errors
    cfn = Template(str(translated.source), template, ["us-east-1"])
    assert not cfn.transform()
    wiring = Wiring(cfn.template["Resources"])

    seen = {
        (w.function.logical_id, w.queue.logical_id if w.queue else None) for w in wiring.workers()
    }
    [api] = wiring.producers()

    assert seen == {(q.worker, q.name) for q in QUEUES}
    assert api.function.logical_id == "ApiFunction"
    assert {q.logical_id for q in api.queues.values()} == {q.name for q in QUEUES}
    assert api.table == "DataTable"


def test_visibility_timeout_is_at_least_6x_worker_timeout_for_every_allowed_timeout(
    rule_findings: dict[str, list[str]],
) -> None:
    assert rule_findings.get("E9102", []) == []


def test_visibility_timeout_stays_within_what_sqs_accepts_for_every_allowed_timeout(
    translated: Translated,
    defaults: dict[str, str],
    task_queue: TaskQueue,
) -> None:
    # Given the expression, which may depend on parameters (WorkerTimeout)
    visibility = queue(translated, task_queue.name).get("VisibilityTimeout")
    assert visibility is not None, f"{task_queue.name} keeps SQS's 30 s default VisibilityTimeout"

    # When it is evaluated at the default, minimum and maximum of each such parameter
    too_long = [
        f"{seconds} with {parameters}"
        for parameters in parameter_combinations(translated, defaults, visibility)
        for seconds in [as_int(visibility, parameters, f"{task_queue.name}.VisibilityTimeout")]
        if seconds > SQS_MAX_VISIBILITY_TIMEOUT
    ]

    # Then it stays within SQS's maximum of 12 hours
    assert not too_long, f"{task_queue.name}'s VisibilityTimeout exceeds 43200: {too_long}"


def test_redrive_targets_the_dead_letter_queue(
    translated: Translated, task_queue: TaskQueue
) -> None:
    target = redrive_policy(translated, task_queue).get("deadLetterTargetArn")
    assert target == {"Fn::GetAtt": [task_queue.dead_letter_queue, "Arn"]}, (
        f"{task_queue.name} redrives to {target}, not {task_queue.dead_letter_queue}"
    )


def test_max_receive_count_is_at_least_5_for_every_allowed_value(
    translated: Translated,
    defaults: dict[str, str],
    task_queue: TaskQueue,
) -> None:
    count = redrive_policy(translated, task_queue).get("maxReceiveCount")
    assert count is not None, f"{task_queue.name}'s RedrivePolicy has no maxReceiveCount"
    # Given each value a deployer may choose, down to the parameter's MinValue
    candidates = [defaults]
    for name in referenced_parameters(count, translated):
        spec = translated.parameters[name]
        assert "MinValue" in spec, (
            f"parameter {name} (maxReceiveCount) has no MinValue: a deploy may set it below "
            f"{MIN_RECEIVE_COUNT}"
        )
        candidates.append({**defaults, name: str(spec["MinValue"])})
    # Then a task is tried at least 5 times before it is dead-lettered
    for parameters in candidates:
        received = as_int(count, parameters, "maxReceiveCount")
        assert received >= MIN_RECEIVE_COUNT, (
            f"maxReceiveCount is {received} with {parameters}; at least {MIN_RECEIVE_COUNT} "
            f"keeps a throttled or briefly failing task from reaching the DLQ"
        )


def test_dead_letter_queue_keeps_messages_longer_than_the_task_queue(
    rule_findings: dict[str, list[str]],
) -> None:
    # SQS keeps a message's original enqueue time when it is dead-lettered, so a DLQ with the
    # same retention would drop it almost at once. No RedrivePolicy at all is E9104 too.
    assert rule_findings.get("E9104", []) == []


def test_worker_reports_batch_item_failures(rule_findings: dict[str, list[str]]) -> None:
    assert rule_findings.get("E9103", []) == []


def test_worker_batch_size_is_set_and_valid(
    translated: Translated,
    defaults: dict[str, str],
    task_queue: TaskQueue,
) -> None:
    mapping = worker_mapping(translated, task_queue)
    assert "BatchSize" in mapping, "the worker's event source mapping leaves BatchSize implicit"
    size = as_int(mapping["BatchSize"], defaults, "BatchSize")
    window = as_int(mapping.get("MaximumBatchingWindowInSeconds", 0), defaults, "batch window")
    assert 1 <= size <= 10_000, f"BatchSize {size} is outside SQS's 1..10000"
    assert size <= 10 or window >= 1, (
        f"BatchSize {size} > 10 needs MaximumBatchingWindowInSeconds >= 1 (it is {window})"
    )


def test_worker_concurrency_is_capped(
    translated: Translated,
    defaults: dict[str, str],
    task_queue: TaskQueue,
) -> None:
    # Protects SES (1 email a second in the sandbox) and DynamoDB from a burst of tasks.
    scaling = worker_mapping(translated, task_queue).get("ScalingConfig", {})
    assert "MaximumConcurrency" in scaling, (
        "the worker's event source mapping has no ScalingConfig.MaximumConcurrency"
    )
    value = scaling["MaximumConcurrency"]
    for parameters in parameter_combinations(translated, defaults, value):
        concurrency = as_int(value, parameters, "MaximumConcurrency")
        assert 2 <= concurrency <= 1000, (
            f"MaximumConcurrency {concurrency} is outside what Lambda accepts (2..1000)"
        )


def test_worker_reserves_what_the_queue_may_drive(
    translated: Translated,
    defaults: dict[str, str],
    task_queue: TaskQueue,
) -> None:
    # Other functions must not throttle the worker: a throttled batch goes back to the queue and
    # its deliveries count towards maxReceiveCount. Lambda throttles a mapping whose
    # MaximumConcurrency exceeds the function's reserved concurrency.
    reserved = translated.resources[task_queue.worker]["Properties"].get(
        "ReservedConcurrentExecutions"
    )
    assert reserved is not None, f"{task_queue.worker} has no ReservedConcurrentExecutions"
    mapping = worker_mapping(translated, task_queue)
    maximum = mapping.get("ScalingConfig", {}).get("MaximumConcurrency")
    assert maximum is not None, "the worker's mapping has no ScalingConfig.MaximumConcurrency"
    for parameters in parameter_combinations(translated, defaults, reserved, maximum):
        kept = as_int(reserved, parameters, "ReservedConcurrentExecutions")
        driven = as_int(maximum, parameters, "MaximumConcurrency")
        assert kept >= driven, (
            f"{task_queue.worker} reserves {kept} executions but its mapping may drive {driven} "
            f"({parameters})"
        )


def variable(translated: Translated, function: str, name: str) -> Any:
    """A function's environment variable as deployed (Globals merged in by the translation)."""
    variables = translated.resources[function]["Properties"].get("Environment", {})
    value = variables.get("Variables", {}).get(name)
    assert value is not None, f"{function} has no {name}: the code's default would apply unseen"
    return value


def retention(translated: Translated, name: str, parameters: dict[str, str]) -> int:
    value = queue(translated, name).get("MessageRetentionPeriod", SQS_DEFAULT_RETENTION)
    return as_int(value, parameters, f"{name}.MessageRetentionPeriod")


def test_the_worker_gives_up_on_the_delivery_sqs_would_for_every_allowed_value(
    rule_findings: dict[str, list[str]],
) -> None:
    # The worker dead-letters a task itself, with its reason and status `dead_lettered`, on
    # its last allowed delivery. Fewer attempts than maxReceiveCount would give up early;
    # more, and SQS moves the message without a reason and the status stays `retrying`.
    assert rule_findings.get("E9101", []) == []


@pytest.mark.parametrize("function", [*(q.worker for q in QUEUES), "ApiFunction"])
def test_task_rows_outlive_every_redelivery_and_redrive_for_every_allowed_value(
    translated: Translated,
    defaults: dict[str, str],
    function: str,
    task_queue: TaskQueue,
) -> None:
    # A task's row is its idempotency record: a task redriven from the DLQ must still be
    # recognised as done if it had completed, so rows are kept at least as long as the DLQ
    # keeps messages, which is at least as long as the task queue does. Every function that
    # writes rows (the API's queued, the workers' runs) keeps them as long.
    kept_value = variable(translated, function, "OFFLOAD_RETENTION_SECONDS")
    values = (
        kept_value,
        queue(translated, task_queue.dead_letter_queue).get("MessageRetentionPeriod"),
        queue(translated, task_queue.name).get("MessageRetentionPeriod"),
    )
    for parameters in parameter_combinations(translated, defaults, *values):
        kept = as_int(kept_value, parameters, "OFFLOAD_RETENTION_SECONDS")
        dead = retention(translated, task_queue.dead_letter_queue, parameters)
        source = retention(translated, task_queue.name, parameters)
        assert kept >= dead >= source, (
            f"{function} keeps task rows {kept} s, {task_queue.dead_letter_queue} keeps messages "
            f"{dead} s, {task_queue.name} {source} s ({parameters}): a completed task redriven "
            f"from the DLQ would run again"
        )
