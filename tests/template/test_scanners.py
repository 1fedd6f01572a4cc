"""The scanners' skips: each with its reason, each for a finding that still fires.

`make scan` runs cfn-lint (with the serverless rules) on template.yaml and checkov on it and on
its translation, honouring the skips in .cfnlintrc.yaml and .checkov.yaml. Here each scanner runs
once more without its skips: a skip whose finding no longer fires is stale and must go, and a
finding that no skip names fails here as it fails `make scan`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from offload_local.template.translate import cloudformation

if TYPE_CHECKING:
    from offload_local.template.translation import Translated

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "template.yaml"
CFN_LINT_CONFIG = REPO_ROOT / ".cfnlintrc.yaml"
CFN_LINT_SKIPS = "ignore_checks"
CHECKOV_CONFIG = REPO_ROOT / ".checkov.yaml"
CHECKOV_SKIPS = "skip-check"
# checkov pins packages the dev environment needs newer: it has a virtualenv of its own.
CHECKOV = REPO_ROOT / ".venv-checkov" / "bin" / "checkov"
CONFIGS = [(CFN_LINT_CONFIG, CFN_LINT_SKIPS), (CHECKOV_CONFIG, CHECKOV_SKIPS)]
ITEM = "  - "
MIN_REASON_WORDS = 4


def read_skips(config: Path, key: str) -> dict[str, str]:
    """The check ids listed under `key:`, each with the reason written after it (`# ...`)."""
    lines = config.read_text().splitlines()
    assert f"{key}:" in lines, f"{config.name} has no `{key}:` list"
    skips: dict[str, str] = {}
    for line in lines[lines.index(f"{key}:") + 1 :]:
        if not line.startswith(ITEM):
            break
        check, _, reason = line.removeprefix(ITEM).partition("#")
        check = check.strip()
        assert check not in skips, f"{config.name} skips {check} twice"
        skips[check] = reason.strip()
    return skips


def without_skips(config: Path, key: str, to: Path) -> Path:
    """A copy of the config with every other option kept and the list of skips left out."""
    lines = config.read_text().splitlines()
    start = lines.index(f"{key}:")
    end = start + 1
    while end < len(lines) and lines[end].startswith(ITEM):
        end += 1
    to.write_text("\n".join(lines[:start] + lines[end:]) + "\n")
    return to


def console_script(name: str, module_main: str) -> list[str]:
    """A tool of this interpreter's environment: its console script, or its module's main."""
    script = Path(sys.executable).with_name(name)
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", f"import sys; from {module_main} import main; sys.exit(main())"]


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Outside the repository, so that no config file there is picked up besides the one given.
    return subprocess.run(  # noqa: S603 (our own tools and arguments)
        command, capture_output=True, text=True, cwd=cwd, timeout=300, check=False
    )


def compare(scanner: str, config: Path, skips: dict[str, str], fired: set[str]) -> None:
    stale = sorted(set(skips) - fired)
    unskipped = sorted(fired - set(skips))
    assert not stale, f"{config.name} skips {stale}, which {scanner} no longer reports: remove them"
    assert not unskipped, (
        f"{scanner} reports {unskipped}: fix the template, or skip in {config.name} with a reason"
    )


@pytest.mark.parametrize(("config", "key"), CONFIGS, ids=lambda v: getattr(v, "name", v))
def test_every_skip_gives_its_reason(config: Path, key: str) -> None:
    skips = read_skips(config, key)
    unexplained = [check for check, reason in skips.items() if not reason]
    terse = [check for check, reason in skips.items() if 0 < len(reason.split()) < MIN_REASON_WORDS]
    assert not unexplained, f"{config.name}: {unexplained} skipped without a reason (`# why`)"
    assert not terse, f"{config.name}: the reasons for {terse} say too little to judge them by"


def test_cfn_lint_skips_are_the_findings(tmp_path: Path) -> None:
    # Given cfn-lint with the project's config (the serverless rules) but none of its skips
    skips = read_skips(CFN_LINT_CONFIG, CFN_LINT_SKIPS)
    config = without_skips(CFN_LINT_CONFIG, CFN_LINT_SKIPS, tmp_path / "cfnlintrc.yaml")
    command = console_script("cfn-lint", "cfnlint.runner")
    # When it lints the template
    result = run(
        [*command, "--config-file", str(config), "--format", "json", str(TEMPLATE)], tmp_path
    )
    # Then it reports exactly the skipped rules
    try:
        matches: list[dict[str, Any]] = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"cfn-lint exited {result.returncode}:\n{result.stdout}{result.stderr}")
    compare("cfn-lint", CFN_LINT_CONFIG, skips, {m["Rule"]["Id"] for m in matches})


def test_checkov_skips_are_the_findings(translated: Translated, tmp_path: Path) -> None:
    if not CHECKOV.exists():
        pytest.skip(f"no {CHECKOV.relative_to(REPO_ROOT)}: `make .venv-checkov/.installed`")
    # Given the template, its translation, and checkov's config without its skips
    skips = read_skips(CHECKOV_CONFIG, CHECKOV_SKIPS)
    config = without_skips(CHECKOV_CONFIG, CHECKOV_SKIPS, tmp_path / "checkov.yaml")
    translation = tmp_path / "translated.json"
    translation.write_text(json.dumps(cloudformation(translated)))
    # When checkov scans both
    command = [str(CHECKOV), "--config-file", str(config), "--output", "json"]
    result = run([*command, "--file", str(TEMPLATE), "--file", str(translation)], tmp_path)
    # Then it reports exactly the skipped checks
    try:
        output: Any = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"checkov exited {result.returncode}:\n{result.stdout}{result.stderr}")
    reports: list[dict[str, Any]] = output if isinstance(output, list) else [output]
    summary = [r.get("summary", r) for r in reports]
    scanned = sum(s["resource_count"] for s in summary)
    unparsed = sum(s["parsing_errors"] for s in summary)
    assert unparsed == 0, f"checkov could not parse {unparsed} file(s): {result.stderr}"
    assert scanned >= len(translated.resources), f"checkov scanned only {scanned} resources"
    fired = {
        check["check_id"]
        for report in reports
        for check in report.get("results", {}).get("failed_checks", [])
    }
    compare("checkov", CHECKOV_CONFIG, skips, fired)
