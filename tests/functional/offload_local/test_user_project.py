"""The local cloud runs a user's own project: a template.yaml made of the template unit and an
API function, code in a CodeUri folder beside it, started from another folder. Nothing of this
repository's template is assumed: the console and the commands find the table, the queues and
the metrics by the unit's names and the functions' OFFLOAD_* variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import offload
import offload_local
from offload_local.cli import main
from offload_local.cloud import CloudOptions, LocalCloud
from offload_local.commands.common import add_template_options
from offload_local.console import Console
from offload_local.functions.build import DEFAULT_BUILD_DIR, project_build
from offload_local.state import write_state
from offload_local.template.translation import DEFAULT_TEMPLATE
from offload_local.webconsole import charts, dead_letters, tasks
from offload_local.webconsole.stack import Target, local_target
from tests.functional.offload_local.conftest import eventually
from tests.user_project import user_template, write_project

#: The project's own metrics namespace: the console must read it from the template.
NAMESPACE = "NotesApp"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    template = user_template().replace(
        "POWERTOOLS_METRICS_NAMESPACE: Offload", f"POWERTOOLS_METRICS_NAMESPACE: {NAMESPACE}"
    )
    return write_project(tmp_path_factory.mktemp("notes"), template).parent


@pytest.fixture(scope="module")
def cloud(project: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    # Started from a folder of its own: the code is found beside the template, not here.
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    options = CloudOptions(
        template=project / "template.yaml",
        port=0,
        aws_port=0,
        outbox=elsewhere / "outbox",
        stack_name="notes",
    )
    with LocalCloud(options, Console(colour=False)) as running:
        yield running


@pytest.fixture(scope="module")
def target(cloud: LocalCloud, tmp_path_factory: pytest.TempPathFactory) -> Target:
    state_file = tmp_path_factory.mktemp("state") / "cloud.json"
    write_state(state_file, cloud.state())
    return local_target(state_file)


def call(cloud: LocalCloud, method: str, path: str) -> dict[str, object]:
    request = urllib.request.Request(f"{cloud.api_url}{path}", method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        answer: dict[str, object] = json.loads(response.read())
        return answer


def add_note(cloud: LocalCloud, path: Path, text: str) -> str:
    answer = call(cloud, "POST", f"/notes?path={path}&text={text}")
    task_ids = answer["task_ids"]
    assert isinstance(task_ids, list)
    assert len(task_ids) == 1
    return str(task_ids[0])


def status_of(cloud: LocalCloud, task_id: str, wanted: str) -> dict[str, object] | None:
    found = call(cloud, "GET", f"/tasks/{task_id}")
    return found if found["status"] == wanted else None


def test_a_request_queues_a_task_that_the_users_worker_runs(
    cloud: LocalCloud, tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"

    task_id = add_note(cloud, notes, "hello")

    row = eventually(lambda: status_of(cloud, task_id, "succeeded"))
    assert row["attempts"] == 1
    assert notes.read_text() == "hello\n"


def test_a_failing_task_is_retried_then_dead_lettered(
    cloud: LocalCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task_id = add_note(cloud, tmp_path / "never.txt", "fail")

    row = eventually(lambda: status_of(cloud, task_id, "dead_lettered"), timeout=60)
    capsys.readouterr()
    assert main(["dlq", "--aws-endpoint", cloud.aws_url]) == 0

    assert row["attempts"] == 2
    listed = capsys.readouterr().out
    assert "notes-OffloadDeadLetterQueue: 1 message(s)" in listed
    assert f"task_id: {task_id}" in listed
    assert "RuntimeError: asked to fail" in listed, listed


def test_the_console_reads_the_units_table_queues_and_the_templates_namespace(
    cloud: LocalCloud, target: Target, tmp_path: Path
) -> None:
    task_id = add_note(cloud, tmp_path / "never.txt", "fail")
    eventually(lambda: status_of(cloud, task_id, "dead_lettered"), timeout=60)

    failures = {f["id"]: f for f in tasks.recent_failures(target)}
    page = tasks.task_page(target, task_id)
    [queue] = [
        q for q in dead_letters.dead_letters(target) if q["name"].endswith("DeadLetterQueue")
    ]
    drawn = eventually(lambda: "note" in charts.charts(target, "hour")["tasks"] or None)

    assert failures[task_id]["status"] == "dead_lettered"
    assert page["task"]["task"] == "note"
    assert queue["source"] == "notes-OffloadTaskQueue"
    assert task_id in {m["task_id"] for m in queue["messages"]}
    assert drawn
    assert target.view().metrics_namespaces() == [NAMESPACE]


def test_the_worker_runs_from_the_projects_folder_with_the_default_template(
    project: Path, tmp_path: Path
) -> None:
    # `offload-local invoke` in the project's folder, as a user runs it: template.yaml there,
    # CodeUri src/ beside it, no local cloud running (it starts an endpoint of its own).
    notes = tmp_path / "invoked.txt"
    envelope = {
        "v": 1,
        "id": "invoked-1",
        "task": "note",
        "args": [str(notes), "from invoke"],
        "kwargs": {},
        "enqueued_at": datetime.now(UTC).isoformat(),
    }
    event = project / "event.json"
    event.write_text(json.dumps({"Records": [sqs_record(json.dumps(envelope))]}))
    importable = os.pathsep.join(
        str(Path(module.__file__ or "").resolve().parents[1]) for module in (offload, offload_local)
    )

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "offload_local",
            "invoke",
            "OffloadWorkerFunction",
            "-e",
            "event.json",
        ],
        cwd=project,
        env={**os.environ, "PYTHONPATH": importable},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"batchItemFailures": []}
    assert notes.read_text() == "from invoke\n"


def test_the_template_is_the_current_folders_unless_named() -> None:
    import argparse

    parser = argparse.ArgumentParser()
    add_template_options(parser)

    assert parser.parse_args([]).template == DEFAULT_TEMPLATE == Path("template.yaml")


def test_a_build_is_looked_for_in_the_projects_folder(project: Path, tmp_path: Path) -> None:
    template = project / "template.yaml"

    assert project_build(template) == project / DEFAULT_BUILD_DIR
    assert project_build(template, tmp_path / "build") == tmp_path / "build"


def sqs_record(body: str) -> dict[str, object]:
    return {
        "messageId": "m-1",
        "receiptHandle": "r-1",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1700000000000",
            "SenderId": "local",
            "ApproximateFirstReceiveTimestamp": "1700000000000",
        },
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:local-OffloadTaskQueue",
        "awsRegion": "us-east-1",
    }
