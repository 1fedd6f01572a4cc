"""The checks around the template: cfn-lint, the one list of runtime dependencies, the locks."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

REPO_ROOT = Path(__file__).resolve().parents[2]
# The runtime dependencies as ranges, and their lock: what `sam build` installs.
REQUIREMENTS = "functions/requirements.in"
RUNTIME_LOCK = "functions/requirements.txt"
DEV_LOCK = "requirements/dev.txt"
#: The distribution's extras: the dev virtualenv has what each of them adds.
EXTRAS = ("tracing", "testing", "lint", "local")
# Each lock and the dependency group of pyproject.toml it is made from (`make lock`).
GROUP_LOCKS = {
    "dev": DEV_LOCK,
    "sam": "requirements/sam.txt",
    "checkov": "requirements/checkov.txt",
    "pip": "requirements/pip.txt",
}
# Where the locks are installed: Lambda (python3.13, x86_64) and developers' and CI's machines.
PLATFORMS = {
    f"CPython {version} on Linux x86_64": {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "platform_machine": "x86_64",
        "os_name": "posix",
    }
    for version in ("3.11", "3.13")
}


@dataclass(frozen=True)
class Pin:
    """One entry of a lock: an exact version, where it applies, and the hashes pip checks."""

    name: str
    version: str
    marker: Marker | None
    hashes: tuple[str, ...]

    def applies(self, environment: dict[str, str]) -> bool:
        return self.marker is None or self.marker.evaluate(environment)


def read_lock(relative: str) -> list[Pin]:
    """The entries of a hash-locked requirements file, continuation lines joined."""
    text = (REPO_ROOT / relative).read_text()
    logical = text.replace("\\\n", " ").splitlines()
    pins: list[Pin] = []
    for line in logical:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        spec, *options = (part.strip() for part in stripped.split(" --"))
        requirement = Requirement(spec)
        assert not requirement.url, f"{relative}: {spec!r} is a URL, not a release from the index"
        exact = [s.version for s in requirement.specifier if s.operator == "=="]
        assert len(exact) == len(requirement.specifier) == 1, (
            f"{relative}: {spec!r} is not pinned to one version"
        )
        version = exact[0]
        hashes = tuple(o.removeprefix("hash=") for o in options if o.startswith("hash="))
        unknown = [o for o in options if not o.startswith("hash=")]
        assert not unknown, f"{relative}: {spec!r} carries options {unknown}"
        pins.append(Pin(canonicalize_name(requirement.name), version, requirement.marker, hashes))
    return pins


def pinned(pins: list[Pin], environment: dict[str, str]) -> dict[str, str]:
    """Name -> version of the pins that apply in an environment (at most one each)."""
    versions: dict[str, str] = {}
    for pin in pins:
        if pin.applies(environment):
            assert pin.name not in versions, f"{pin.name} is pinned twice for {environment}"
            versions[pin.name] = pin.version
    return versions


def dependency_group(name: str) -> list[Requirement]:
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    entries: list[Any] = pyproject["dependency-groups"][name]
    assert all(isinstance(e, str) for e in entries), f"group {name} includes another group"
    return [Requirement(e) for e in entries]


def library_requirements(extra: str | None = None) -> list[Requirement]:
    """What the distribution requires (pyproject.toml [project]), or one of its extras adds."""
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    entries = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return [Requirement(e) for e in entries]


def runtime_requirements() -> list[Requirement]:
    return [
        Requirement(line.split(" #", 1)[0].strip())
        for line in (REPO_ROOT / REQUIREMENTS).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


def scan_cfn_lint_arguments() -> list[str]:
    """The arguments `make scan` gives cfn-lint (its recipe's `$(BIN)/cfn-lint ...` line)."""
    makefile = (REPO_ROOT / "Makefile").read_text().splitlines()
    recipe = makefile[makefile.index("scan: $(VENV)/.installed $(CHECKOV_VENV)/.installed") + 1 :]
    line = next(line for line in recipe if line.startswith("\t$(BIN)/cfn-lint "))
    return shlex.split(line.removeprefix("\t$(BIN)/cfn-lint "))


def test_cfn_lint_passes_as_make_scan_runs_it() -> None:
    # Given cfn-lint from this interpreter's environment (its console script sits next to it)
    script = Path(sys.executable).with_name("cfn-lint")
    command = (
        [str(script)]
        if script.exists()
        else [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]
    )
    # When it lints the template as `make scan` does: with its config and the library's rules
    arguments = scan_cfn_lint_arguments()
    assert arguments == ["template.yaml", "--append-rules", "offload.rules"]
    result = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [*command, *arguments],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "functions")},
        timeout=300,
        check=False,
    )
    # Then it finds nothing (exit status 0: no error, warning or informational finding it shows)
    assert result.returncode == 0, (
        f"cfn-lint {' '.join(arguments)} exited {result.returncode}:\n"
        f"{result.stdout}{result.stderr}"
    )


def test_the_wheel_builds_with_setuptools_from_the_library_alone() -> None:
    # The distribution is the library (offload) and the local cloud (offload_local); the sample
    # application's code and its own requirements (functions/requirements.in) are not in it.
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    backend = pyproject.get("build-system", {}).get("build-backend", "")
    assert backend == "setuptools.build_meta", backend
    found = pyproject["tool"]["setuptools"]["packages"]["find"]
    assert found["include"] == ["offload", "offload.*", "offload_local", "offload_local.*"]
    assert "dependencies" not in pyproject["project"].get("dynamic", [])


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
            problems.append(f"{line!r} has no version bounds (`make lock` would take any)")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    assert not problems, f"{REQUIREMENTS}: " + "; ".join(problems)
    assert not duplicates, f"{REQUIREMENTS} lists {duplicates} more than once"


@pytest.mark.parametrize("lock", [RUNTIME_LOCK, *GROUP_LOCKS.values()])
def test_lock_pins_every_entry_with_hashes(lock: str) -> None:
    # pip installs it in hash-checking mode: every entry one version, with its files' hashes.
    pins = read_lock(lock)
    assert pins, f"{lock} pins nothing"
    unhashed = [p.name for p in pins if not p.hashes]
    assert not unhashed, f"{lock} has entries without hashes: {unhashed}"
    weak = [p.name for p in pins if not all(h.startswith("sha256:") for h in p.hashes)]
    assert not weak, f"{lock} has entries with hashes other than sha256: {weak}"


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize(
    ("lock", "sources"),
    [
        # The functions ship the library from functions/ with what it requires.
        (RUNTIME_LOCK, ["runtime", "library"]),
        (DEV_LOCK, ["runtime", "dev", "library", *(f"library[{e}]" for e in EXTRAS)]),
        (GROUP_LOCKS["sam"], ["sam"]),
        (GROUP_LOCKS["checkov"], ["checkov"]),
        (GROUP_LOCKS["pip"], ["pip"]),
    ],
)
def test_lock_satisfies_its_sources(lock: str, sources: list[str], platform: str) -> None:
    # A range changed in functions/requirements.in or pyproject.toml without `make lock`
    # leaves a lock that no longer says what its sources ask for.
    environment = PLATFORMS[platform]
    versions = pinned(read_lock(lock), environment)
    problems: list[str] = []
    for source in sources:
        if source == "runtime":
            requirements = runtime_requirements()
        elif source.startswith("library"):
            requirements = library_requirements(source.partition("[")[2].rstrip("]") or None)
        else:
            requirements = dependency_group(source)
        for requirement in requirements:
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
            name = canonicalize_name(requirement.name)
            version = versions.get(name)
            if version is None:
                problems.append(f"{requirement} ({source}) is not in the lock")
            elif not requirement.specifier.contains(version, prereleases=True):
                problems.append(f"{requirement} ({source}) but the lock pins {version}")
    assert not problems, f"{lock} on {platform} (run `make lock`): " + "; ".join(problems)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_lambda_ships_the_versions_the_tests_run(platform: str) -> None:
    # The runtime lock is resolved within the dev lock (`make lock`): what the tests import is
    # what `sam build` packages.
    environment = PLATFORMS[platform]
    shipped = pinned(read_lock(RUNTIME_LOCK), environment)
    tested = pinned(read_lock(DEV_LOCK), environment)
    differ = {
        name: (version, tested.get(name))
        for name, version in shipped.items()
        if tested.get(name) != version
    }
    assert not differ, f"{RUNTIME_LOCK} vs {DEV_LOCK} (shipped, tested): {differ}"
