"""A project's template.yaml, read and translated offline into plain CloudFormation.

The local cloud and the template tests both start here, so what runs locally and what the tests
check is what `sam deploy` would create. As for the SAM CLI, the template is template.yaml in the
current folder unless named; each function's CodeUri is relative to the template's folder.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The SAM CLI's default: the project's template, in the folder the command runs in.
DEFAULT_TEMPLATE = Path("template.yaml")
DEFAULT_REGION = "us-east-1"

# sam validate does the same: the translator only accepts S3 code locations, so local folders
# stand in as s3://local-code/<folder> and are mapped back afterwards.
_LOCAL_CODE_BUCKET = "local-code"


class TemplateError(Exception):
    """Raise when template.yaml cannot be read or translated."""


@dataclass(frozen=True)
class Translated:
    """The CloudFormation that SAM would deploy, plus where each function's code lives locally."""

    resources: dict[str, dict[str, Any]]
    parameters: dict[str, dict[str, Any]]
    outputs: dict[str, dict[str, Any]]
    code_dirs: dict[str, Path] = field(default_factory=dict)
    source: Path = DEFAULT_TEMPLATE
    # Kept so the local cloud can evaluate Condition / Fn::If / Fn::FindInMap like CloudFormation.
    conditions: dict[str, Any] = field(default_factory=dict)
    mappings: dict[str, Any] = field(default_factory=dict)
    # The Rules section: assertions on parameter values, checked before anything is created.
    rules: dict[str, Any] = field(default_factory=dict)

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.resources.items() if v["Type"] == resource_type}


class _NoManagedPolicies:
    """The translator asks IAM for managed-policy ARNs only when Policies names one by name."""

    def load(self) -> dict[str, str]:
        return {}


def load(path: Path) -> dict[str, Any]:
    """Read a SAM template with CloudFormation's short tags (!Ref, !Sub ...) in long form."""
    from cfnlint.decode import decode

    if not path.is_file():
        raise TemplateError(
            f"{path}: no such template in {Path.cwd()}: run in the project's folder (beside its "
            "template.yaml) or pass --template"
        )
    template, errors = decode(str(path))
    if errors or template is None:
        raise TemplateError(f"{path}: " + "; ".join(str(e) for e in errors or ["unreadable"]))
    # cfn-lint's nodes carry line marks; plain JSON types are what the translator expects.
    plain: dict[str, Any] = json.loads(json.dumps(template))
    return plain


def translate(
    path: Path,
    parameter_overrides: Mapping[str, str] | None = None,
    region: str = DEFAULT_REGION,
) -> Translated:
    """Translate the SAM template offline (samtranslator, as `sam validate` and `sam deploy` do)."""
    from samtranslator.translator.transform import transform

    template = load(path)
    base = path.resolve().parent
    code_dirs = _stand_in_code_uris(template, base)
    # The translator reads the region from the environment to build ARNs.
    previous = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = region
    try:
        out = transform(template, dict(parameter_overrides or {}), _NoManagedPolicies())
    except Exception as exc:
        raise TemplateError(f"{path}: {exc}") from exc
    finally:
        if previous is None:
            os.environ.pop("AWS_DEFAULT_REGION", None)
        else:
            os.environ["AWS_DEFAULT_REGION"] = previous
    return Translated(
        resources=out.get("Resources", {}),
        parameters=out.get("Parameters", {}),
        outputs=out.get("Outputs", {}),
        code_dirs=code_dirs,
        source=path.resolve(),
        conditions=out.get("Conditions", {}),
        mappings=out.get("Mappings", {}),
        rules=out.get("Rules", {}),
    )


def _stand_in_code_uris(template: dict[str, Any], base: Path) -> dict[str, Path]:
    global_uri = template.get("Globals", {}).get("Function", {}).get("CodeUri")
    if isinstance(global_uri, str) and not global_uri.startswith("s3://"):
        template["Globals"]["Function"]["CodeUri"] = f"s3://{_LOCAL_CODE_BUCKET}/{global_uri}"
    code_dirs: dict[str, Path] = {}
    for name, resource in template.get("Resources", {}).items():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        props = resource.setdefault("Properties", {})
        uri = props.get("CodeUri", global_uri)
        if not isinstance(uri, str) or uri.startswith("s3://"):
            continue
        code_dirs[name] = (base / uri).resolve()
        props["CodeUri"] = f"s3://{_LOCAL_CODE_BUCKET}/{uri}"
    return code_dirs
