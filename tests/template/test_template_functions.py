"""Both functions run python3.13 from functions/, and Lambda can import their handlers there."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from offload_local.errors import IntrinsicError
from tests.template.values import render

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from offload_local.template.translation import Translated

FUNCTIONS = ["ApiFunction", "WorkerFunction"]
RUNTIME = "python3.13"

# Run in a fresh interpreter that sees only the code directory and the installed packages, as
# Lambda does (LAMBDA_TASK_ROOT first on sys.path): -I drops PYTHONPATH, the cwd and user site;
# -B leaves no __pycache__ behind in functions/.
_IMPORT_HANDLER = """
import importlib, json, sys
code_dir, module_name, attribute = sys.argv[1:4]
sys.path.insert(0, code_dir)
module = importlib.import_module(module_name)
handler = getattr(module, attribute, None)
print(json.dumps({"file": getattr(module, "__file__", None), "callable": callable(handler),
                  "type": type(handler).__name__}))
"""


def function(translated: Translated, name: str) -> dict[str, Any]:
    resource = translated.resources.get(name)
    assert resource is not None, f"template has no {name}"
    assert resource["Type"] == "AWS::Lambda::Function", f"{name} is a {resource['Type']}"
    properties: dict[str, Any] = resource["Properties"]
    return properties


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_runs_python_3_13(translated: Translated, name: str) -> None:
    runtime = function(translated, name).get("Runtime")
    assert runtime == RUNTIME, f"{name} runs {runtime!r}; Lambda's runtime here is {RUNTIME}"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_code_is_the_functions_folder(
    translated: Translated, repo_root: Path, name: str
) -> None:
    code_dir = translated.code_dirs.get(name)
    assert code_dir == repo_root / "functions", (
        f"{name}'s CodeUri is {code_dir}; both functions ship functions/ "
        f"(what Lambda imports is what the tests import)"
    )


@pytest.mark.parametrize("name", FUNCTIONS)
def test_handler_is_importable_from_the_code_folder(
    translated: Translated, defaults: dict[str, str], name: str
) -> None:
    # Given the function's Handler and its code directory
    properties = function(translated, name)
    handler = str(properties.get("Handler", ""))
    module_name, _, attribute = handler.rpartition(".")
    assert module_name, f"{name}'s Handler {handler!r} is not <module>.<function>"
    code_dir = translated.code_dirs[name]

    # When a fresh interpreter imports it with only that directory added to sys.path
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "-I", "-B", "-c", _IMPORT_HANDLER, str(code_dir), module_name, attribute],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=code_dir,
        env=lambda_environment(translated, name, defaults),
        check=False,
    )

    # Then the module loads from the code directory and the attribute is callable
    assert result.returncode == 0, (
        f"{name}: `import {module_name}` failed with only {code_dir} on sys.path:\n"
        f"{result.stderr.strip()[-3000:]}"
    )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert str(found["file"]).startswith(str(code_dir)), (
        f"{name}: {module_name} was imported from {found['file']}, not from {code_dir}"
    )
    assert found["callable"], f"{name}: {handler} is a {found['type']}, not callable"


def lambda_environment(
    translated: Translated, name: str, parameters: Mapping[str, str]
) -> dict[str, str]:
    """What Lambda sets for the function, with stand-ins for values only a deploy knows."""
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }
    variables = function(translated, name).get("Environment", {}).get("Variables", {})
    for key, value in variables.items():
        try:
            rendered = render(value, parameters, translated)
        except IntrinsicError:
            rendered = f"<{key}>"
        environment[key] = _stand_in(rendered, translated)
    return environment


def _stand_in(rendered: str, translated: Translated) -> str:
    # A Ref to a queue is its URL; to anything else (a table ...) its name.
    logical = rendered.removeprefix("<").removesuffix(">")
    resource = translated.resources.get(logical)
    if resource is None or rendered != f"<{logical}>":
        return rendered
    if resource["Type"] == "AWS::SQS::Queue":
        return f"https://sqs.us-east-1.amazonaws.com/123456789012/{logical}"
    return logical
