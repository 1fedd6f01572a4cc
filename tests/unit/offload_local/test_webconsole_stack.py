"""What the console tells an operator when AWS says no."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, NoCredentialsError, NoRegionError

from offload_local.webconsole.dead_letters import body_kind
from offload_local.webconsole.stack import ConsoleError, StackView, explain
from offload_local.webconsole.tasks import timeline


def client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeStacks")


@pytest.mark.parametrize(
    ("error", "status", "says"),
    [
        (NoCredentialsError(), 401, "No AWS credentials found"),
        (NoRegionError(), 400, "No AWS region"),
        (
            client_error("ValidationError", "Stack with id app does not exist"),
            404,
            "There is no stack 'app' in region eu-west-1",
        ),
        (client_error("AccessDenied", "not allowed"), 403, "may not do this: not allowed"),
        (client_error("ExpiredToken", "expired"), 401, "were refused: expired"),
        (client_error("Throttling", "slow down"), 502, "AWS answered Throttling: slow down"),
    ],
)
def test_errors_become_sentences(error: Exception, status: int, says: str) -> None:
    explained = explain(error, "app", "eu-west-1")

    assert isinstance(explained, ConsoleError)
    assert explained.status == status
    assert says in str(explained)


def test_the_tasks_table_is_the_functions_offload_table_name() -> None:
    view = StackView(
        name="app",
        region="us-east-1",
        kind="deployed",
        outputs={},
        resources={},
        functions={
            "Api": {"OFFLOAD_TABLE_NAME": "app-Tasks", "OFFLOAD_QUEUE_URL": "q"},
            "Worker": {"OFFLOAD_TABLE_NAME": "app-Tasks", "OFFLOAD_DEAD_LETTER_QUEUE_URL": "d"},
            "Other": {},
        },
    )

    assert view.task_tables() == ["app-Tasks"]


def test_a_stack_whose_functions_name_no_table_is_named() -> None:
    view = StackView(
        name="other", region="us-east-1", kind="deployed", outputs={}, resources={}, functions={}
    )

    with pytest.raises(ConsoleError, match="no function of stack other has OFFLOAD_TABLE_NAME"):
        view.task_tables()


def test_the_metrics_are_read_from_each_workers_namespace() -> None:
    view = StackView(
        name="app",
        region="us-east-1",
        kind="local",
        outputs={},
        resources={},
        functions={
            # The API publishes no task metrics; a worker without a namespace uses offload's.
            "Api": {"POWERTOOLS_METRICS_NAMESPACE": "Api"},
            "Worker": {"OFFLOAD_DEAD_LETTER_QUEUE_URL": "d", "POWERTOOLS_METRICS_NAMESPACE": "App"},
            "Plain": {"OFFLOAD_DEAD_LETTER_QUEUE_URL": "d2"},
        },
    )

    assert view.metrics_namespaces() == ["App", "Offload"]


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ('{"v": 1, "id": "a", "task": "t", "args": []}', "task envelope"),
        ('{"Records": []}', "S3 notification"),
        ("{not json", "not a task envelope: the body is not JSON"),
        ('{"hello": 1}', "not a task envelope: JSON without v, id and task"),
    ],
)
def test_what_a_dead_letter_is(body: str, kind: str) -> None:
    assert body_kind(body) == kind


def test_a_tasks_timeline_in_order() -> None:
    task = {
        "status": "dead_lettered",
        "attempts": 5,
        "enqueued_at": "2026-12-01T10:00:00+00:00",
        "started_at": "2026-12-01T10:05:00+00:00",
        "finished_at": "2026-12-01T10:05:01+00:00",
    }

    assert timeline(task) == [
        {"at": "2026-12-01T10:00:00+00:00", "event": "queued"},
        {"at": "2026-12-01T10:05:00+00:00", "event": "started (attempt 5)"},
        {"at": "2026-12-01T10:05:01+00:00", "event": "dead lettered"},
    ]
