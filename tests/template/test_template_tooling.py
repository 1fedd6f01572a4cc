"""The checks around the template: cfn-lint, and the one list of runtime dependencies."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

REPO_ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = "functions/requirements.txt"


def test_cfn_lint_passes() -> None:
    # Given cfn-lint from this interpreter's environment (its console script sits next to it)
    script = Path(sys.executable).with_name("cfn-lint")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]
    )
    # When it lints the template
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [*command, "template.yaml"],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        check=False,
    )
    # Then it finds nothing (exit status 0: no error, warning or informational finding it shows)
    assert result.returncode == 0, (
        f"cfn-lint template.yaml exited {result.returncode}:\n{result.stdout}{result.stderr}"
    )


def test_pyproject_takes_its_dependencies_from_functions_requirements() -> None:
    # `sam build` installs functions/requirements.txt; pyproject must not keep a second list.
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    project = pyproject.get("project", {})
    assert "dependencies" in project.get("dynamic", []), (
        "pyproject.toml [project] does not list dependencies as dynamic"
    )
    assert "dependencies" not in project, (
        "pyproject.toml declares [project] dependencies itself as well as dynamically"
    )
    backend = pyproject.get("build-system", {}).get("build-backend", "setuptools.build_meta")
    assert backend.startswith("setuptools"), (
        f"tool.setuptools.dynamic is read by setuptools only; the build backend is {backend}"
    )
    dynamic = pyproject.get("tool", {}).get("setuptools", {}).get("dynamic", {})
    source = dynamic.get("dependencies", {})
    assert source == {"file": [REQUIREMENTS]}, (
        f"[tool.setuptools.dynamic] dependencies is {source}, not {{file = [{REQUIREMENTS!r}]}}"
    )


def test_functions_requirements_are_plain_requirement_lines() -> None:
    # setuptools' `file:` directive reads one PEP 508 requirement per line: no -r, -e, --index.
    lines = [
        line.split(" #", 1)[0].strip()
        for line in (REPO_ROOT / REQUIREMENTS).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines, f"{REQUIREMENTS} lists no dependencies"
    names: list[str] = []
    problems: list[str] = []
    for line in lines:
        try:
            requirement = Requirement(line)
        except InvalidRequirement as exc:
            problems.append(f"{line!r}: {exc}")
            continue
        names.append(requirement.name.lower().replace("_", "-"))
        if not requirement.specifier:
            problems.append(f"{line!r} has no version bounds (sam build would take any)")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not problems, f"{REQUIREMENTS}: " + "; ".join(problems)
    assert not duplicates, f"{REQUIREMENTS} lists {duplicates} more than once"
