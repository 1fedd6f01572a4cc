"""Functions from `sam build`'s output: each from its folder of the build, refused when the build
is missing or stale, and run with nothing importable but that folder and the standard library."""

from __future__ import annotations

import io
import os
import textwrap
from pathlib import Path

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.console import Console
from offload_local.errors import InfraError
from offload_local.functions.build import from_build, source_files
from offload_local.functions.config import FunctionConfig, lambda_environment
from offload_local.functions.pool import FunctionPool

# Imports a package of the virtualenv the local cloud runs in, and says where it found it.
HANDLER = """
def handler(event, context):
    import pydantic

    return pydantic.__file__
"""


def function(code_dir: Path) -> FunctionConfig:
    return FunctionConfig(
        logical_id="Fn",
        name="local-Fn",
        arn="arn:aws:lambda:us-east-1:123456789012:function:local-Fn",
        handler="app.handler",
        runtime="python3.13",
        code_dir=code_dir,
        timeout=5,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "functions").mkdir()
    (tmp_path / "functions" / "app.py").write_text(textwrap.dedent(HANDLER))
    (tmp_path / "template.yaml").write_text("Resources: {}\n")
    build = tmp_path / "build" / "Fn"
    build.mkdir(parents=True)
    (build / "app.py").write_text(textwrap.dedent(HANDLER))
    (tmp_path / "build" / "template.yaml").write_text("Resources: {}\n")
    return tmp_path


def sources(project: Path) -> list[Path]:
    return source_files(project / "template.yaml", [project / "functions"])


def test_each_function_runs_from_its_folder_of_the_build(project: Path) -> None:
    [(name, built)] = from_build(
        {"Fn": function(project / "functions")}, project / "build", sources(project)
    ).items()

    assert (name, built.code_dir, built.site_packages) == ("Fn", project / "build" / "Fn", False)
    assert built.handler == "app.handler"


def test_no_build_is_refused(project: Path) -> None:
    with pytest.raises(InfraError, match=r"no SAM build .*run `sam build`"):
        from_build({"Fn": function(project)}, project / "elsewhere", sources(project))


def test_a_build_older_than_a_source_is_refused(project: Path) -> None:
    built = (project / "build" / "template.yaml").stat().st_mtime
    os.utime(project / "functions" / "app.py", (built + 10, built + 10))

    with pytest.raises(InfraError, match=r"older than .*app\.py.*run `sam build`"):
        from_build({"Fn": function(project)}, project / "build", sources(project))


def test_a_function_missing_from_the_build_is_refused(project: Path) -> None:
    with pytest.raises(InfraError, match="has no Other"):
        from_build({"Other": function(project)}, project / "build", sources(project))


@pytest.mark.parametrize("site_packages", [True, False])
def test_a_built_function_imports_only_what_its_folder_ships(
    project: Path, site_packages: bool
) -> None:
    config = function(project / "build" / "Fn")
    if not site_packages:
        config = from_build({"Fn": config}, project / "build", sources(project))["Fn"]
    aws = AwsEndpoint("http://127.0.0.1:9", "us-east-1")
    pool = FunctionPool(config, lambda_environment(config, aws), Console(io.StringIO()), 1)
    try:
        result = pool.invoke({})
    finally:
        pool.close()

    if site_packages:
        # Run from the source tree, the virtualenv fills in what a build might have left out.
        assert "site-packages" in str(result.result)
    else:
        assert result.error is not None
        assert "No module named 'pydantic'" in result.error.message
