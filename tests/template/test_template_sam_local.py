"""What `sam local` may set, checked on the translated template: the SAM CLI applies an env file
only to variables a function declares, so the template declares the local cloud's endpoint and
the stand-in for the JWT authorizer; as AWS::NoValue, which CloudFormation removes, so that no
deployed function ever has either, and nothing can point it elsewhere or move its token checks.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from offload_local.template.translation import Translated

NO_VALUE = {"Ref": "AWS::NoValue"}
ENDPOINT = "AWS_ENDPOINT_URL"
AUTHORIZER = "SAM_LOCAL_AUTHORIZER_URL"
LOCAL_ONLY = (ENDPOINT, AUTHORIZER)


def functions(translated: Translated) -> dict[str, dict[str, Any]]:
    return {
        name: (resource["Properties"].get("Environment") or {}).get("Variables") or {}
        for name, resource in translated.of_type("AWS::Lambda::Function").items()
    }


def guarded_functions(translated: Translated) -> set[str]:
    """Functions integrated with a route that the JWT authorizer guards."""
    paths = translated.resources["HttpApi"]["Properties"]["Body"]["paths"]
    found = set()
    for methods in paths.values():
        for operation in methods.values():
            if not isinstance(operation, dict) or operation.get("security") == [{"NONE": []}]:
                continue
            uri = operation["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
            found |= {name for name in functions(translated) if f"${{{name}.Arn}}" in uri}
    return found


@pytest.mark.parametrize("variable", LOCAL_ONLY)
def test_a_deployed_function_never_has_a_local_only_variable(
    translated: Translated, variable: str
) -> None:
    values = {
        name: variables.get(variable, NO_VALUE) for name, variables in functions(translated).items()
    }

    # AWS::NoValue: CloudFormation drops the entry, whatever the parameters are
    assert values == dict.fromkeys(values, NO_VALUE)


def test_no_function_declares_the_sam_clis_own_marker(translated: Translated) -> None:
    # AWS_SAM_LOCAL is what lets the API ask a local authorizer: only the SAM CLI sets it.
    assert [name for name, v in functions(translated).items() if "AWS_SAM_LOCAL" in v] == []


def test_sam_local_can_point_every_function_at_the_local_cloud(translated: Translated) -> None:
    assert [name for name, v in functions(translated).items() if ENDPOINT not in v] == []


def test_only_the_functions_behind_the_authorizer_can_be_told_of_a_local_one(
    translated: Translated,
) -> None:
    told = {name for name, variables in functions(translated).items() if AUTHORIZER in variables}

    assert told == guarded_functions(translated) == {"ApiFunction"}


def test_the_sam_cli_applies_an_env_file_to_them(repo_root: Path, tmp_path: Path) -> None:
    # Given an env file like the one `offload-local sam` writes
    sam_python = repo_root / ".venv-sam" / "bin" / "python"
    if not sam_python.exists():
        pytest.skip("the SAM CLI's virtualenv is not installed (make .venv-sam/.installed)")
    overrides = {
        "ApiFunction": {ENDPOINT: "http://172.17.0.1:1", AUTHORIZER: "http://172.17.0.1:2/"},
        "WorkerFunction": {ENDPOINT: "http://172.17.0.1:1", "NOT_DECLARED": "dropped"},
    }
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps(overrides))

    # When the SAM CLI 1.170 resolves each function's environment, as `sam local` does
    result = subprocess.run(  # noqa: S603 - the project's own SAM CLI virtualenv
        [str(sam_python), "-c", _RESOLVE, str(repo_root / "template.yaml"), str(env_file)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=repo_root,
        check=False,
    )

    # Then the declared ones take the file's values; an undeclared one is dropped, as documented
    assert result.returncode == 0, result.stderr[-3000:]
    resolved = json.loads(result.stdout.strip().splitlines()[-1])
    for function, variables in overrides.items():
        declared = {k: v for k, v in variables.items() if k != "NOT_DECLARED"}
        assert {k: resolved[function].get(k) for k in declared} == declared
    assert "NOT_DECLARED" not in resolved["WorkerFunction"]


# The SAM CLI's own code path for `sam local invoke --env-vars` (LocalLambdaRunner).
_RESOLVE = """
import json, sys
from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

template, env_file = sys.argv[1:3]
stacks, _ = SamLocalStackProvider.get_stacks(template)
provider = SamFunctionProvider(stacks)
runner = LocalLambdaRunner(
    local_runtime=None, function_provider=provider, cwd=".", real_path=".",
    env_vars_values=json.load(open(env_file)),
)
print(json.dumps({f.name: runner._make_env_vars(f).resolve() for f in provider.get_all()}))
"""
