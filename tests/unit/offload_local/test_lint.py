"""The library's template rules at start-up: judged with this run's parameter values."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from offload_local.errors import WiringError
from offload_local.template.lint import check_wiring
from offload_local.template.stack import Stack
from offload_local.template.translation import translate

# A worker whose timeout is a parameter (30 s by default, up to 60) on a queue that hides a
# message 180 s: 6x the default, not 6x every value a deploy may choose.
TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Parameters:
  WorkerTimeout: {Type: Number, Default: 30, MinValue: 3, MaxValue: 60}
Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: worker.handler
      CodeUri: .
      Timeout: !Ref WorkerTimeout
      Environment:
        Variables:
          OFFLOAD_MAX_ATTEMPTS: "5"
      Policies:
        - SQSPollerPolicy: {QueueName: !GetAtt Tasks.QueueName}
        - SQSSendMessagePolicy: {QueueName: !GetAtt DeadLetters.QueueName}
      Events:
        Tasks:
          Type: SQS
          Properties:
            Queue: !GetAtt Tasks.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
  Tasks:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt DeadLetters.Arn
        maxReceiveCount: 5
  DeadLetters:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
"""


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.yaml"
    path.write_text(textwrap.dedent(TEMPLATE))
    return path


def test_a_sound_wiring_for_this_runs_values_starts(template: Path) -> None:
    check_wiring(Stack.from_template(translate(template)))


def test_a_wiring_that_would_lose_tasks_with_this_runs_values_is_refused(template: Path) -> None:
    stack = Stack.from_template(translate(template), {"WorkerTimeout": "45"})

    with pytest.raises(WiringError) as refused:
        check_wiring(stack)

    lines = template.read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "VisibilityTimeout" in text)
    assert str(refused.value) == (
        f"template.yaml would lose or repeat tasks (offload.rules): E9102 (line {line}) Tasks's "
        "VisibilityTimeout is under 6x Worker's Timeout: 180 s against a Timeout of 45 s with "
        "WorkerTimeout=45 (needs 270). SQS would deliver a task again while the worker may "
        "still run it. Raise Tasks's VisibilityTimeout to at least 6x the Timeout"
    )
