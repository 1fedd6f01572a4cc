"""offload.config: the OFFLOAD_* variables read once, checked once, each error naming them."""

from __future__ import annotations

import pytest

from offload.config import Config, queue_key, queue_variable
from offload.exceptions import ConfigurationError

ENVIRONMENT = {
    "OFFLOAD_TABLE_NAME": "tasks",
    "OFFLOAD_QUEUE_URL": "https://sqs/q",
    "OFFLOAD_QUEUE_ARN": "arn:aws:sqs:us-east-1:1:q",
    "OFFLOAD_HEAVY_QUEUE_URL": "https://sqs/heavy",
    "OFFLOAD_BULK_JOBS_QUEUE_URL": "https://sqs/bulk",
    "OFFLOAD_DEAD_LETTER_QUEUE_URL": "https://sqs/dlq",
    "OFFLOAD_MAX_ATTEMPTS": "7",
    "OFFLOAD_RETENTION_SECONDS": "86400",
    "OFFLOAD_SCHEDULE_GROUP_NAME": "group",
    "OFFLOAD_SCHEDULER_ROLE_ARN": "arn:aws:iam::1:role/s",
    "OFFLOAD_PAYLOAD_BUCKET_NAME": "bucket",
    "OFFLOAD_MESSAGE_MAX_BYTES": "1000",
    "UNRELATED": "x",
}


def test_every_variable_reaches_its_setting() -> None:
    config = Config.from_environment(ENVIRONMENT)

    assert config.table_name == "tasks"
    assert dict(config.queue_urls) == {
        "default": "https://sqs/q",
        "heavy": "https://sqs/heavy",
        "bulk_jobs": "https://sqs/bulk",
    }
    assert config.queue_url("bulk-jobs") == config.queue_url("bulk_jobs") == "https://sqs/bulk"
    assert config.queue_arn("default") == "arn:aws:sqs:us-east-1:1:q"
    assert config.queue_arn("heavy") is None
    # The dead-letter queue's variable has a queue's shape, but names no task queue.
    assert config.dead_letter_queue_url == "https://sqs/dlq"
    assert (config.max_attempts, config.retention_seconds, config.message_max_bytes) == (
        7,
        86400,
        1000,
    )
    assert (config.schedule_group_name, config.scheduler_role_arn) == (
        "group",
        "arn:aws:iam::1:role/s",
    )
    assert config.payload_bucket_name == "bucket"


def test_unset_variables_take_the_documented_defaults() -> None:
    config = Config.from_environment({})

    assert (config.max_attempts, config.retention_seconds) == (5, 14 * 24 * 3600)
    assert config.message_max_bytes == 200 * 1024
    assert dict(config.queue_urls) == {}


def test_every_bad_number_is_named_at_once() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Config.from_environment({"OFFLOAD_MAX_ATTEMPTS": "five", "OFFLOAD_RETENTION_SECONDS": "0"})

    assert str(caught.value) == (
        "OFFLOAD_MAX_ATTEMPTS='five' is not a whole number; "
        "OFFLOAD_RETENTION_SECONDS='0' must be at least 1"
    )


@pytest.mark.parametrize(
    ("check", "missing"),
    [
        (
            lambda c: c.require_api({"default", "heavy"}),
            "OFFLOAD_TABLE_NAME, OFFLOAD_QUEUE_URL, OFFLOAD_HEAVY_QUEUE_URL",
        ),
        (lambda c: c.require_worker(), "OFFLOAD_TABLE_NAME, OFFLOAD_DEAD_LETTER_QUEUE_URL"),
        (
            lambda c: c.require_schedules({"heavy"}),
            "OFFLOAD_SCHEDULE_GROUP_NAME, OFFLOAD_SCHEDULER_ROLE_ARN, OFFLOAD_HEAVY_QUEUE_ARN",
        ),
    ],
    ids=["api", "worker", "schedules"],
)
def test_what_a_side_cannot_run_without_is_named_whole(check: object, missing: str) -> None:
    with pytest.raises(ConfigurationError, match=f"not set for .*: {missing} "):
        check(Config())  # type: ignore[operator]
    check(Config.from_environment(ENVIRONMENT | {"OFFLOAD_HEAVY_QUEUE_ARN": "arn"}))  # type: ignore[operator]


def test_a_queue_name_and_its_variables() -> None:
    assert queue_variable("default") == "OFFLOAD_QUEUE_URL"
    assert queue_variable("heavy", "ARN") == "OFFLOAD_HEAVY_QUEUE_ARN"
    assert queue_variable("bulk-jobs") == "OFFLOAD_BULK_JOBS_QUEUE_URL"
    assert queue_key("Bulk-Jobs") == "bulk_jobs"


def test_a_config_cannot_be_changed_nor_built_with_a_number_below_one() -> None:
    config = Config(queue_urls={"default": "u"})
    with pytest.raises(TypeError):
        config.queue_urls["heavy"] = "v"  # type: ignore[index]
    with pytest.raises(ConfigurationError, match="max_attempts must be at least 1"):
        Config(max_attempts=0)
