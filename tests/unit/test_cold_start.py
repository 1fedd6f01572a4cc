"""What each Lambda handler module pulls in at import: nothing a request may not need."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"


def modules_after_import(module: str, **environment: str) -> set[str]:
    """sys.modules after importing `module` in a fresh interpreter, functions/ on the path."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); "
        f"import {module}; print(json.dumps(sorted(sys.modules)))"
    )
    result = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-I", "-c", code, str(FUNCTIONS)],
        capture_output=True,
        text=True,
        check=True,
        env={"AWS_DEFAULT_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "1", **environment},
    )
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("handler", ["api.handler", "worker.handler"])
def test_handlers_create_no_aws_client_machinery_at_import(handler: str) -> None:
    loaded = modules_after_import(handler)

    # Powertools imports the bare `botocore` package for its user agent; sessions, clients and
    # boto3 itself come with the first request that needs them.
    assert "boto3" not in loaded
    assert "botocore.session" not in loaded
    assert "botocore.client" not in loaded


@pytest.mark.parametrize("handler", ["api.handler", "worker.handler"])
def test_pillow_is_imported_only_where_images_are_handled(handler: str) -> None:
    assert not any(m == "PIL" or m.startswith("PIL.") for m in modules_after_import(handler))


def test_worker_does_not_import_fastapi() -> None:
    assert "fastapi" not in modules_after_import("worker.handler")


@pytest.mark.parametrize("handler", ["api.handler", "worker.handler"])
def test_the_test_kit_and_pytest_stay_out_of_the_functions(handler: str) -> None:
    loaded = modules_after_import(handler)

    assert not any(m == "offload.testing" or m.startswith("offload.testing.") for m in loaded)
    assert "pytest" not in loaded


@pytest.mark.parametrize("handler", ["api.handler", "worker.handler"])
def test_the_template_rules_and_cfn_lint_stay_out_of_the_functions(handler: str) -> None:
    # functions/Makefile leaves offload/rules out of the build: nothing there may need it.
    loaded = modules_after_import(handler)

    assert not any(m == "offload.rules" or m.startswith("offload.rules.") for m in loaded)
    assert not any(m == "cfnlint" or m.startswith("cfnlint.") for m in loaded)


@pytest.mark.parametrize("handler", ["api.handler", "worker.handler"])
def test_the_xray_sdk_is_imported_only_where_traces_are_received(handler: str) -> None:
    # On Lambda the tracer is built at init and patches botocore (its cost: `make bench`);
    # under the local cloud (AWS_SAM_LOCAL, as sam local) and in tests it is never imported.
    on_lambda = modules_after_import(handler, LAMBDA_TASK_ROOT=str(FUNCTIONS))
    emulated = modules_after_import(handler, LAMBDA_TASK_ROOT=str(FUNCTIONS), AWS_SAM_LOCAL="true")

    assert "aws_xray_sdk.core" in on_lambda
    assert "aws_xray_sdk.ext.botocore.patch" in on_lambda
    assert not any(m.startswith("aws_xray_sdk") for m in emulated)


def test_the_sam_local_authorizer_client_is_not_imported_on_aws() -> None:
    # api/local_authorizer.py asks its service only under `sam local`, and imports urllib there.
    assert "urllib.request" not in modules_after_import("api.handler")
