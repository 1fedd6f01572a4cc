"""`python -m offload_local.template.translate OUT`: template.yaml as the CloudFormation SAM
deploys.

Written as JSON for the tools that read CloudFormation but not SAM (checkov, in `make scan`), so
they judge the roles, permissions and API that SAM generates, not only what the template says.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from offload_local.template.translation import (
    DEFAULT_TEMPLATE,
    TemplateError,
    Translated,
    translate,
)


def cloudformation(translated: Translated) -> dict[str, Any]:
    """The translated template as one CloudFormation document."""
    document: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    sections = {
        "Parameters": translated.parameters,
        "Mappings": translated.mappings,
        "Conditions": translated.conditions,
        "Resources": translated.resources,
        "Outputs": translated.outputs,
    }
    document.update({name: section for name, section in sections.items() if section})
    return document


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m offload_local.template.translate",
        description="Translate a SAM template offline and write the CloudFormation as JSON.",
    )
    parser.add_argument("output", type=Path, help="file to write (its folder is created)")
    parser.add_argument("--template", type=Path, default=DEFAULT_TEMPLATE)
    args = parser.parse_args(argv)
    try:
        translated = translate(args.template)
    except TemplateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(cloudformation(translated), indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
