"""The whole local cloud from a small SAM template: HTTP -> function -> SQS -> worker -> DLQ/SES,
and the commands that look after it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from offload_local.cli import main
from offload_local.cloud import CloudOptions, LocalCloud
from offload_local.console import Console
from offload_local.email.outbox import list_outbox
from tests.functional.offload_local.conftest import eventually
from tests.functional.offload_local.project import write_project

TEMPLATE = """
Parameters:
  Sender:
    Type: String
    Default: sender@example.com
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
  ApiFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: api.handler
      Environment:
        Variables:
          QUEUE_URL: !Ref Queue
      Events:
        Proxy:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /{proxy+}
            Method: ANY
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: worker.handler
      Timeout: 3
      Environment:
        Variables:
          SENDER: !Ref Sender
          CONFIGURATION_SET: !Ref Emails
      Events:
        Tasks:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
            ScalingConfig:
              MaximumConcurrency: 2
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 1
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 2
  Dlq:
    Type: AWS::SQS::Queue
  Identity:
    Type: AWS::SES::EmailIdentity
    Properties:
      EmailIdentity: !Ref Sender
  Emails:
    Type: AWS::SES::ConfigurationSet
"""

API = """
import json, os
import boto3

def handler(event, context):
    if event["rawPath"] == "/enqueue":
        queue = os.environ["QUEUE_URL"]
        boto3.client("sqs").send_message(QueueUrl=queue, MessageBody=event["body"])
        return {
            "statusCode": 202,
            "headers": {"content-type": "application/json"},
            "cookies": ["seen=1; Path=/"],
            "body": json.dumps({"queued": event["body"]}),
        }
    return {"statusCode": 200, "body": json.dumps({k: event.get(k) for k in (
        "routeKey", "rawPath", "pathParameters", "queryStringParameters", "isBase64Encoded", "body"
    )})}
"""

WORKER = """
import json, os, time
import boto3

def handler(event, context):
    failures = []
    for record in event["Records"]:
        body = record["body"]
        if body.startswith("metric:"):
            # An embedded metric format document, as Powertools Metrics prints one
            print(json.dumps({
                "_aws": {"Timestamp": int(time.time() * 1000), "CloudWatchMetrics": [{
                    "Namespace": "Test", "Dimensions": [["kind"]],
                    "Metrics": [{"Name": "Handled", "Unit": "Count"}]}]},
                "kind": "metric", "Handled": [float(body[len("metric:"):])],
            }))
        elif body == "fail":
            failures.append({"itemIdentifier": record["messageId"]})
        elif body.startswith("email:"):
            boto3.client("sesv2").send_email(
                FromEmailAddress=os.environ["SENDER"],
                Destination={"ToAddresses": [body[len("email:"):]]},
                Content={
                    "Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Hello"}}}
                },
                ConfigurationSetName=os.environ["CONFIGURATION_SET"],
            )
    return {"batchItemFailures": failures}
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("app"), TEMPLATE, api=API, worker=WORKER)


@pytest.fixture(scope="module")
def cloud(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloud]:
    options = CloudOptions(
        template=template,
        port=0,
        aws_port=0,
        outbox=tmp_path_factory.mktemp("outbox"),
    )
    with LocalCloud(options, Console(colour=False)) as running:
        yield running


def request(
    cloud: LocalCloud,
    method: str,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    url = urlsplit(str(cloud.api_url))
    connection = http.client.HTTPConnection(str(url.hostname), url.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def dead_letters(cloud: LocalCloud) -> list[str]:
    sqs = cloud.deployment.aws.client("sqs")
    messages = sqs.receive_message(
        QueueUrl=cloud.deployment.queues()["Dlq"], MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [m["Body"] for m in messages.get("Messages", [])]


def test_http_requests_become_payload_2_events(cloud: LocalCloud) -> None:
    status, _, body = request(cloud, "GET", "/items/42?tag=a&tag=b")
    binary_status, _, binary = request(
        cloud, "POST", "/upload", b"\x00\xff", {"content-type": "application/octet-stream"}
    )

    assert status == 200
    assert json.loads(body) == {
        "routeKey": "ANY /{proxy+}",
        "rawPath": "/items/42",
        "pathParameters": {"proxy": "items/42"},
        "queryStringParameters": {"tag": "a,b"},
        "isBase64Encoded": False,
        "body": None,
    }
    assert binary_status == 200
    assert json.loads(binary)["isBase64Encoded"] is True
    assert json.loads(binary)["body"] == "AP8="


def test_a_path_without_route_is_api_gateways_404(cloud: LocalCloud) -> None:
    status, _, body = request(cloud, "GET", "/")

    assert (status, json.loads(body)) == (404, {"message": "Not Found"})


def test_a_task_runs_and_its_email_reaches_the_outbox(cloud: LocalCloud) -> None:
    status, headers, body = request(cloud, "POST", "/enqueue", b"email:you@example.com")

    assert status == 202
    assert headers["set-cookie"] == "seen=1; Path=/"
    assert json.loads(body) == {"queued": "email:you@example.com"}
    assert cloud.outbox is not None
    folder = cloud.outbox.folder
    (mail,) = eventually(lambda: list_outbox(folder))
    assert (mail.sender, mail.to, mail.subject) == ("sender@example.com", "you@example.com", "Hi")
    # moto drops it; the local cloud keeps it.
    assert mail.configuration_set == "local-Emails"


def test_a_functions_emf_lines_become_cloudwatch_metrics(cloud: LocalCloud) -> None:
    request(cloud, "POST", "/enqueue", b"metric:7")
    cloudwatch = cloud.deployment.aws.client("cloudwatch")
    now = datetime.now(UTC)

    def published() -> list[float] | None:
        """the worker's EMF metric is in CloudWatch"""
        [result] = cloudwatch.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "handled",
                    "MetricStat": {
                        "Metric": {
                            "Namespace": "Test",
                            "MetricName": "Handled",
                            "Dimensions": [{"Name": "kind", "Value": "metric"}],
                        },
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=5),
        )["MetricDataResults"]
        values: list[float] = result["Values"]
        return values or None

    assert sum(eventually(published)) == 7


def test_each_queues_aws_sqs_metrics_are_published(cloud: LocalCloud) -> None:
    cloudwatch = cloud.deployment.aws.client("cloudwatch")

    def listed() -> set[str] | None:
        """AWS/SQS metrics of every queue"""
        metrics = cloudwatch.list_metrics(
            Namespace="AWS/SQS", MetricName="ApproximateAgeOfOldestMessage"
        )["Metrics"]
        names = {d["Value"] for m in metrics for d in m["Dimensions"]}
        return names if {"local-Queue", "local-Dlq"} <= names else None

    assert eventually(listed) >= {"local-Queue", "local-Dlq"}


def test_a_send_through_a_configuration_set_that_does_not_exist_is_refused(
    cloud: LocalCloud,
) -> None:
    sesv2 = cloud.deployment.aws.client("sesv2")

    with pytest.raises(sesv2.exceptions.NotFoundException, match="<local-Typo> does not exist"):
        sesv2.send_email(
            FromEmailAddress="sender@example.com",
            Destination={"ToAddresses": ["you@example.com"]},
            Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
            ConfigurationSetName="local-Typo",
        )


def test_a_failing_task_reaches_the_dead_letter_queue_and_can_be_redriven(
    cloud: LocalCloud, capsys: pytest.CaptureFixture[str]
) -> None:
    request(cloud, "POST", "/enqueue", b"fail")
    assert eventually(lambda: dead_letters(cloud)) == ["fail"]
    endpoint = ["--aws-endpoint", cloud.aws_url]

    assert main(["queues", *endpoint]) == 0
    assert main(["dlq", *endpoint]) == 0
    listed = capsys.readouterr().out
    assert main(["redrive", *endpoint]) == 0
    moved = capsys.readouterr().out

    assert "local-Dlq" in listed
    assert "dead-letter queue" in listed
    assert "body: fail" in listed
    assert "moved 1 message(s) from local-Dlq to local-Queue" in moved
    # Back on its queue, it fails again and returns to the dead-letter queue.
    assert eventually(lambda: dead_letters(cloud)) == ["fail"]


def test_invoke_against_the_running_cloud(
    cloud: LocalCloud, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text(
        json.dumps({"Records": [{"messageId": "m1", "body": "fail", "receiptHandle": "r"}]})
    )

    status = main(
        [
            "invoke",
            "Worker",
            "-e",
            str(event),
            "--template",
            str(template),
            "--aws-endpoint",
            cloud.aws_url,
        ]
    )

    assert status == 0
    assert json.loads(capsys.readouterr().out) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_invoke_names_what_is_wrong(
    cloud: LocalCloud, template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = tmp_path / "event.json"
    event.write_text("{}")
    target = ["--template", str(template), "--aws-endpoint", cloud.aws_url]

    unknown = main(["invoke", "Nope", "-e", str(event), *target])
    unknown_error = capsys.readouterr().err
    missing = main(["invoke", "Worker", "-e", str(tmp_path / "missing.json"), *target])
    missing_error = capsys.readouterr().err

    assert unknown == 2
    assert "no function 'Nope'" in unknown_error
    assert "ApiFunction, Worker" in unknown_error
    assert missing == 2
    assert "missing.json not found" in missing_error
