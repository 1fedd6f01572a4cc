"""Functions run from what `sam build` made (.aws-sam/build), not from the source tree: each
function's folder of the build, with the dependencies it ships, is all its process can import
besides the standard library, as on Lambda. A packaging mistake (a module left out of CodeUri,
a dependency missing from functions/requirements.txt) then fails here as it would on AWS, where
a run from the source tree would still find it in the developer's virtualenv.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from pathlib import Path

from offload_local.errors import InfraError
from offload_local.functions.config import FunctionConfig

#: Where `sam build` puts the build, in the folder it runs in (the project's, beside its
#: template.yaml): a folder per function, and its template.
DEFAULT_BUILD_DIR = Path(".aws-sam/build")
BUILD_HINT = "run `sam build` in the template's folder"


def project_build(template: Path, given: Path | None = None) -> Path:
    """The build to run: the folder given, else the one `sam build` makes in the project's
    folder (.aws-sam/build beside its template.yaml), whatever folder the local cloud runs in."""
    return given if given is not None else template.resolve().parent / DEFAULT_BUILD_DIR


def from_build(
    functions: Mapping[str, FunctionConfig], build_dir: Path, sources: Iterable[Path]
) -> dict[str, FunctionConfig]:
    """Each function with its code from its folder of the build, run without site-packages.

    InfraError when there is no build, a function has no folder in it, or a source (the
    template, a file of a function's code) changed after it was made.
    """
    template = build_dir / "template.yaml"
    if not template.is_file():
        raise InfraError(f"no SAM build ({template} is missing): {BUILD_HINT} first")
    built = template.stat().st_mtime
    newer = sorted(str(path) for path in sources if path.stat().st_mtime > built)
    if newer:
        more = f" (and {len(newer) - 1} more)" if len(newer) > 1 else ""
        raise InfraError(f"the SAM build is older than {newer[0]}{more}: {BUILD_HINT} again")
    found: dict[str, FunctionConfig] = {}
    for logical_id, function in functions.items():
        code_dir = (build_dir / logical_id).resolve()
        if not code_dir.is_dir():
            raise InfraError(f"the SAM build in {build_dir} has no {logical_id}: {BUILD_HINT}")
        found[logical_id] = dataclasses.replace(function, code_dir=code_dir, site_packages=False)
    return found


def source_files(template: Path, code_dirs: Iterable[Path]) -> list[Path]:
    """What a build is made from: the template and every file of the functions' code."""
    files = [template]
    for folder in set(code_dirs):
        files.extend(
            path for path in folder.rglob("*") if path.is_file() and "__pycache__" not in path.parts
        )
    return files
