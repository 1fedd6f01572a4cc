"""E9103: Lambda reads the worker's batchItemFailures instead of deleting the whole batch."""

from __future__ import annotations

from tests.unit.offload.rules.templates import findings, line_of, properties, sound, variables

RULE = "E9103"


def test_a_sam_sqs_event_without_function_response_types_is_an_error() -> None:
    template = sound("sam")
    event = properties(template, "Worker")["Events"]["Tasks"]["Properties"]
    event["FunctionResponseTypes"] = []

    [finding] = findings(template, RULE)

    assert finding.message.startswith(
        "Worker's SQS event Tasks feeds Worker from Tasks without FunctionResponseTypes: "
        "[ReportBatchItemFailures] (it has [])"
    )
    assert finding.line == line_of(template, "FunctionResponseTypes")


def test_a_mapping_that_names_an_alias_of_the_worker_is_the_workers() -> None:
    template = sound("cloudformation")
    template["Resources"]["WorkerLive"] = {
        "Type": "AWS::Lambda::Alias",
        "Properties": {
            "FunctionName": {"Ref": "Worker"},
            "FunctionVersion": "$LATEST",
            "Name": "live",
        },
    }
    mapping = properties(template, "WorkerTasks")
    mapping["FunctionName"] = {"Ref": "WorkerLive"}
    del mapping["FunctionResponseTypes"]

    [finding] = findings(template, RULE)

    assert finding.message.startswith("WorkerTasks feeds Worker from Tasks")


def test_a_function_without_offload_settings_is_not_a_worker() -> None:
    # Some other consumer of an SQS queue: its batch semantics are its own business.
    template = sound("cloudformation")
    variables(template, "Worker").clear()
    del properties(template, "WorkerTasks")["FunctionResponseTypes"]

    assert findings(template) == []
