"""`python -m offload_local.template.translate`: the CloudFormation scanners read, from a SAM
template."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from offload_local.template.translate import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

SAM_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Size:
    Type: Number
    Default: 128
Conditions:
  Big: !Equals [!Ref Size, 1024]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.13
      MemorySize: !Ref Size
  Queue:
    Type: AWS::SQS::Queue
    Condition: Big
Outputs:
  FnName:
    Value: !Ref Fn
"""


def test_writes_the_translation_as_one_cloudformation_document(tmp_path: Path) -> None:
    # Given a SAM template with a function, a parameter, a condition and an output
    template = tmp_path / "template.yaml"
    template.write_text(SAM_TEMPLATE)
    output = tmp_path / "scan" / "translated.json"

    # When it is translated into a folder that does not exist yet
    status = main([str(output), "--template", str(template)])

    # Then the file is plain CloudFormation: SAM's function became a function and its role
    document = json.loads(output.read_text())
    assert status == 0
    assert "Transform" not in document
    assert document["Resources"]["Fn"]["Type"] == "AWS::Lambda::Function"
    assert document["Resources"]["FnRole"]["Type"] == "AWS::IAM::Role"
    assert document["Resources"]["Queue"]["Condition"] == "Big"
    assert set(document) == {
        "AWSTemplateFormatVersion",
        "Parameters",
        "Conditions",
        "Resources",
        "Outputs",
    }


def test_an_unreadable_template_is_an_error_not_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "translated.json"

    status = main([str(output), "--template", str(tmp_path / "missing.yaml")])

    assert status == 2
    assert not output.exists()
    assert "error:" in capsys.readouterr().err
