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


def test_a_stack_without_the_templates_outputs_is_named() -> None:
    view = StackView(name="other", region="us-east-1", kind="deployed", outputs={}, resources={})

    with pytest.raises(ConsoleError, match="other has no DataTableName output"):
        view.output("DataTableName")


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
