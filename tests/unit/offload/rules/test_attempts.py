"""E9101: a worker gives up on the delivery SQS would."""

from __future__ import annotations

from tests.unit.offload.rules.templates import findings, line_of, properties, sound, variables

RULE = "E9101"


def test_literal_attempts_that_differ_from_a_literal_count_are_an_error() -> None:
    # Given a worker that tries 10 times on a queue that dead-letters after 2 receives
    template = sound("cloudformation")
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = "10"
    properties(template, "Tasks")["RedrivePolicy"]["maxReceiveCount"] = 2

    # When the rules run
    [finding] = findings(template, RULE)

    # Then the finding names both values and says what to change
    assert finding.message == (
        "Worker gives up after OFFLOAD_MAX_ATTEMPTS=10 attempts but Tasks dead-letters after "
        "maxReceiveCount=2 receives: SQS moves a failing task to the dead-letter queue first, "
        "without its reason, and its status stays 'retrying'. Set OFFLOAD_MAX_ATTEMPTS to "
        "Tasks's maxReceiveCount (the same parameter, or the same number)"
    )


def test_fewer_attempts_than_receives_say_the_worker_gives_up_early() -> None:
    template = sound("cloudformation")
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = 3

    [finding] = findings(template, RULE)

    assert "OFFLOAD_MAX_ATTEMPTS=3 attempts" in finding.message
    assert "maxReceiveCount=5 receives" in finding.message
    assert "the worker gives up on a task before SQS's deliveries are used up" in finding.message


def test_a_fixed_attempts_against_a_parameter_range_is_an_error_at_the_values_that_differ() -> None:
    # Given a count from a parameter allowed 5..10 and attempts fixed at 5
    template = sound("sam")
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = "5"

    [finding] = findings(template, RULE)

    # Then the default (5) passes, and the maximum a deploy may choose is named
    assert "maxReceiveCount=10 receives with MaxReceiveCount=10" in finding.message
    assert "MaxReceiveCount=5" not in finding.message


def test_two_parameters_with_the_same_range_may_still_differ() -> None:
    template = sound("sam")
    template["Parameters"]["WorkerAttempts"] = dict(template["Parameters"]["MaxReceiveCount"])
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = {"Ref": "WorkerAttempts"}

    [finding] = findings(template, RULE)

    assert "with MaxReceiveCount=" in finding.message
    assert "WorkerAttempts=" in finding.message


def test_a_parameter_with_allowed_values_is_checked_at_each_of_them() -> None:
    template = sound("sam")
    template["Parameters"]["MaxReceiveCount"] = {
        "Type": "String",
        "Default": "5",
        "AllowedValues": ["5", "8"],
    }
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = "5"

    [finding] = findings(template, RULE)

    assert "maxReceiveCount=8 receives with MaxReceiveCount=8" in finding.message


def test_a_worker_without_attempts_is_an_error_on_a_queue_with_a_count() -> None:
    template = sound("sam")
    del variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"]

    [finding] = findings(template, RULE)

    assert finding.message == (
        "Worker does not set OFFLOAD_MAX_ATTEMPTS, so its attempts need not match Tasks's "
        "maxReceiveCount. Set OFFLOAD_MAX_ATTEMPTS to Tasks's maxReceiveCount (the same "
        "parameter, or the same number)"
    )


def test_the_finding_points_at_the_workers_variable() -> None:
    template = sound("sam")
    variables(template, "Worker")["OFFLOAD_MAX_ATTEMPTS"] = "10"

    [finding] = findings(template, RULE)

    assert finding.line == line_of(template, "OFFLOAD_MAX_ATTEMPTS", after="Worker")
