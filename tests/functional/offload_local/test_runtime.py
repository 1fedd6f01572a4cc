"""Functions in warm processes: results, errors, timeouts, context, environment, concurrency."""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.console import Console
from offload_local.functions.config import FunctionConfig, lambda_environment
from offload_local.functions.pool import FunctionPool

HANDLER = """
import importlib.util, os, time

INVOCATIONS = 0

def handler(event, context):
    global INVOCATIONS
    INVOCATIONS += 1
    print(f"log line {INVOCATIONS}")
    if "sleep" in event:
        time.sleep(event["sleep"])
    if "raise" in event:
        raise ValueError(event["raise"])
    if "exit" in event:
        os._exit(3)
    if "unserialisable" in event:
        return object()
    return {
        "invocations": INVOCATIONS,
        "pid": os.getpid(),
        "request_id": context.aws_request_id,
        "function_name": context.function_name,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "log_group": context.log_group_name,
        "remaining": context.get_remaining_time_in_millis(),
        "queue": os.environ.get("QUEUE_URL"),
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "leaked": os.environ.get("INFRA_TEST_PARENT_ONLY"),
        "cwd": os.getcwd(),
        "local_cloud_importable": importable("offload_local"),
    }


def importable(name):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError:
        return False
    return True
"""


class MakePool(Protocol):
    def __call__(
        self, handler: str = ..., timeout: int = ..., concurrency: int = ...
    ) -> FunctionPool: ...


@pytest.fixture
def code_dir(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(textwrap.dedent(HANDLER))
    (tmp_path / "broken.py").write_text("raise RuntimeError('import-time failure')\n")
    return tmp_path


def function(code_dir: Path, handler: str = "app.handler", timeout: int = 2) -> FunctionConfig:
    return FunctionConfig(
        logical_id="Fn",
        name="local-Fn",
        arn="arn:aws:lambda:us-east-1:123456789012:function:local-Fn",
        handler=handler,
        runtime="python3.13",
        code_dir=code_dir,
        timeout=timeout,
        memory_mb=256,
        variables={"QUEUE_URL": "http://queue"},
    )


@pytest.fixture
def output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def make_pool(
    code_dir: Path, output: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> Iterator[MakePool]:
    monkeypatch.setenv("INFRA_TEST_PARENT_ONLY", "secret")
    pools: list[FunctionPool] = []
    aws = AwsEndpoint("http://127.0.0.1:9", "us-east-1")

    def make(handler: str = "app.handler", timeout: int = 2, concurrency: int = 4) -> FunctionPool:
        config = function(code_dir, handler, timeout)
        pool = FunctionPool(
            config, lambda_environment(config, aws), Console(output, colour=False), concurrency
        )
        pools.append(pool)
        return pool

    yield make
    for pool in pools:
        pool.close()


def test_a_warm_process_keeps_module_state_and_gets_a_lambda_context(
    make_pool: MakePool, code_dir: Path, output: io.StringIO
) -> None:
    pool = make_pool()

    first = pool.invoke({})
    second = pool.invoke({})

    assert first.ok
    assert first.init_duration_ms is not None
    assert second.init_duration_ms is None
    assert second.result["invocations"] == 2
    assert second.result["pid"] == first.result["pid"]
    assert second.result["request_id"] == second.request_id != first.request_id
    assert second.result["function_name"] == "local-Fn"
    assert second.result["arn"].endswith(":function:local-Fn")
    assert second.result["memory"] == "256"
    assert second.result["log_group"] == "/aws/lambda/local-Fn"
    assert 0 < second.result["remaining"] <= 2000
    assert second.result["queue"] == "http://queue"
    assert second.result["endpoint"] == "http://127.0.0.1:9"
    assert second.result["leaked"] is None
    assert second.result["cwd"] == str(code_dir)
    assert second.result["local_cloud_importable"] is False
    assert "Fn           | log line 2" in output.getvalue()
    assert "REPORT RequestId: " + second.request_id in output.getvalue()


def test_a_handler_error_has_lambdas_shape_and_keeps_the_process(
    make_pool: MakePool,
) -> None:
    pool = make_pool()

    failed = pool.invoke({"raise": "boom"})
    after = pool.invoke({})

    assert failed.error is not None
    assert failed.error.payload()["errorType"] == "ValueError"
    assert failed.error.payload()["errorMessage"] == "boom"
    assert any("app.py" in line for line in failed.error.stack_trace)
    assert not any("bootstrap.py" in line for line in failed.error.stack_trace)
    assert after.result["invocations"] == 2


def test_a_timeout_kills_the_process_and_the_next_call_starts_cold(
    make_pool: MakePool,
) -> None:
    pool = make_pool(timeout=1)
    before = pool.invoke({})

    timed_out = pool.invoke({"sleep": 30})
    after = pool.invoke({})

    assert timed_out.error is not None
    assert timed_out.error.error_type == "Sandbox.Timedout"
    assert timed_out.error.message == "Task timed out after 1.00 seconds"
    assert after.result["pid"] != before.result["pid"]
    assert after.result["invocations"] == 1


@pytest.mark.parametrize(
    ("handler", "error_type"),
    [
        ("missing.handler", "Runtime.ImportModuleError"),
        ("app.nothing", "Runtime.HandlerNotFound"),
        ("broken.handler", "RuntimeError"),
    ],
)
def test_init_errors(make_pool: MakePool, handler: str, error_type: str) -> None:
    invocation = make_pool(handler).invoke({})

    assert invocation.error is not None
    assert invocation.error.error_type == error_type


def test_a_crash_and_an_unserialisable_result_are_errors(make_pool: MakePool) -> None:
    pool = make_pool()

    crashed = pool.invoke({"exit": True})
    unserialisable = pool.invoke({"unserialisable": True})

    assert crashed.error is not None
    assert crashed.error.error_type == "Runtime.ExitError"
    assert unserialisable.error is not None
    assert unserialisable.error.error_type == "Runtime.MarshalError"


def test_concurrent_invocations_get_processes_of_their_own(make_pool: MakePool) -> None:
    pool = make_pool(concurrency=2)
    pool.invoke({})  # one warm process already
    results: list[int] = []

    def call() -> None:
        results.append(pool.invoke({"sleep": 0.5}).result["pid"])

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Three calls, at most two at a time: two processes, one of them reused.
    assert len(results) == 3
    assert len(set(results)) == 2
