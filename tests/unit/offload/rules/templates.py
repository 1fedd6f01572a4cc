"""Small templates that deploy offload soundly, to break one piece at a time, and the rules'
findings on them (offload.rules.check: cfn-lint's API with these rules alone).

Two shapes of the same stack: SAM as written (what cfn-lint 1.54 and later give the rules) and
plain CloudFormation (an event source mapping, an IAM role: what a template without SAM
declares, and what SAM's translation holds).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cfnlint.decode import decode_str

from offload.rules.check import Finding, check_template

#: The dead-letter queue, the same in both shapes (each ends with it).
DEAD_LETTERS = """
  DeadLetters:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
"""

SAM = (
    """
Transform: AWS::Serverless-2016-10-31
Parameters:
  MaxReceiveCount: {Type: Number, Default: 5, MinValue: 5, MaxValue: 10}
  WorkerTimeout: {Type: Number, Default: 30, MinValue: 3, MaxValue: 60}
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: api.handler
      CodeUri: .
      Environment:
        Variables:
          OFFLOAD_QUEUE_URL: {Ref: Tasks}
          OFFLOAD_TABLE_NAME: {Ref: Rows}
      Policies:
        - SQSSendMessagePolicy: {QueueName: {Fn::GetAtt: [Tasks, QueueName]}}
        - DynamoDBWritePolicy: {TableName: {Ref: Rows}}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.13
      Handler: worker.handler
      CodeUri: .
      Timeout: {Ref: WorkerTimeout}
      Environment:
        Variables:
          OFFLOAD_DEAD_LETTER_QUEUE_URL: {Ref: DeadLetters}
          OFFLOAD_MAX_ATTEMPTS: {Ref: MaxReceiveCount}
          OFFLOAD_TABLE_NAME: {Ref: Rows}
      Policies:
        - SQSPollerPolicy: {QueueName: {Fn::GetAtt: [Tasks, QueueName]}}
        - SQSSendMessagePolicy: {QueueName: {Fn::GetAtt: [DeadLetters, QueueName]}}
        - DynamoDBCrudPolicy: {TableName: {Ref: Rows}}
      Events:
        Tasks:
          Type: SQS
          Properties:
            Queue: {Fn::GetAtt: [Tasks, Arn]}
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  Rows:
    Type: AWS::Serverless::SimpleTable
  Tasks:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: {Fn::Sub: "${WorkerTimeout}0"}
      RedrivePolicy:
        deadLetterTargetArn: {Fn::GetAtt: [DeadLetters, Arn]}
        maxReceiveCount: {Ref: MaxReceiveCount}
"""
    + DEAD_LETTERS
)

CLOUDFORMATION = (
    """
Resources:
  Api:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: api.handler
      Code: {ZipFile: "def handler(event, context): pass"}
      Role: {Fn::GetAtt: [ApiRole, Arn]}
      Environment:
        Variables:
          OFFLOAD_QUEUE_URL: {Ref: Tasks}
          OFFLOAD_TABLE_NAME: {Ref: Rows}
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      ManagedPolicyArns:
        - Fn::Sub: "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
      Policies:
        - PolicyName: Enqueue
          PolicyDocument:
            Statement:
              - {Effect: Allow, Action: sqs:SendMessage, Resource: {Fn::GetAtt: [Tasks, Arn]}}
              - Effect: Allow
                Action: [dynamodb:BatchWriteItem, dynamodb:UpdateItem]
                Resource: {Fn::GetAtt: [Rows, Arn]}
  Worker:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.13
      Handler: worker.handler
      Code: {ZipFile: "def handler(event, context): pass"}
      Role: {Fn::GetAtt: [WorkerRole, Arn]}
      Timeout: 30
      Environment:
        Variables:
          OFFLOAD_DEAD_LETTER_QUEUE_URL: {Ref: DeadLetters}
          OFFLOAD_MAX_ATTEMPTS: "5"
  WorkerRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - {Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}
      Policies:
        - PolicyName: Work
          PolicyDocument:
            Statement:
              - Effect: Allow
                Action:
                  - sqs:ReceiveMessage
                  - sqs:DeleteMessage
                  - sqs:GetQueueAttributes
                  - sqs:ChangeMessageVisibility
                Resource: {Fn::GetAtt: [Tasks, Arn]}
              - {Effect: Allow, Action: sqs:SendMessage, Resource: {Fn::GetAtt: [DeadLetters, Arn]}}
  WorkerTasks:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: {Ref: Worker}
      EventSourceArn: {Fn::GetAtt: [Tasks, Arn]}
      FunctionResponseTypes: [ReportBatchItemFailures]
  Rows:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
  Tasks:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 180
      MessageRetentionPeriod: 345600
      RedrivePolicy:
        deadLetterTargetArn: {Fn::GetAtt: [DeadLetters, Arn]}
        maxReceiveCount: 5
"""
    + DEAD_LETTERS
)

SHAPES = {"sam": SAM, "cloudformation": CLOUDFORMATION}


def sound(shape: str = "sam") -> dict[str, Any]:
    """A fresh copy of a template every rule passes, to change."""
    decoded, errors = decode_str(SHAPES[shape])
    assert not errors, errors
    # cfn-lint's nodes carry line marks; plain JSON types are what the tests change.
    template: dict[str, Any] = json.loads(json.dumps(decoded))
    return template


def properties(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return props


def variables(template: Mapping[str, Any], logical_id: str) -> dict[str, Any]:
    values: dict[str, Any] = properties(template, logical_id)["Environment"]["Variables"]
    return values


def text(template: Mapping[str, Any]) -> str:
    """The template as the rules read it (JSON, one key a line)."""
    return json.dumps(template, indent=1)


def line_of(template: Mapping[str, Any], key: str, after: str | None = None) -> int:
    """The line of `"key":` in `text(template)`, the first after `"after":` if given."""
    lines = text(template).splitlines()
    start = next(n for n, line in enumerate(lines) if f'"{after}":' in line) if after else 0
    return next(n for n, line in enumerate(lines[start:], start + 1) if f'"{key}":' in line)


def findings(
    template: Mapping[str, Any],
    rule: str | None = None,
    parameters: Mapping[str, str] | None = None,
) -> list[Finding]:
    """The offload rules' findings on the template (one rule's, if named)."""
    found = check_template(text(template), parameters)
    return [finding for finding in found if rule is None or finding.rule == rule]
