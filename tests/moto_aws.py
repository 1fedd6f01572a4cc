"""moto holding the stack of template.yaml, provisioned by the local cloud's own provisioners (the
local
cloud's, offload_local/provision), for the tests that call the handlers themselves: in this process
(the functional tests, the benchmarks that count what a request costs) or behind moto's server
(the fault suite).

Provisioning the whole template (queues, table, bucket and its notification, SES identity and
configuration set, user pool, roles, log groups, alarms ...) takes about a second: it is done
once and kept, and each test starts from the same stack with its data cleared (messages, items,
objects; in this process, sent emails too), which takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

import pytest

from offload_local.aws import s3_events
from offload_local.aws.endpoint import AwsEndpoint
from offload_local.provision import provision
from offload_local.template.stack import Stack
from offload_local.template.translation import DEFAULT_REGION, translate
from tests.repository import TEMPLATE

if TYPE_CHECKING:
    from mypy_boto3_sqs.client import SQSClient

    from offload_local.provision.deployment import Deployment

REGION = DEFAULT_REGION
#: Both handlers run in one process here: their environments are merged, less the variables
#: they set differently (POWERTOOLS_SERVICE_NAME), which would make one of them lie.
FUNCTIONS = ("ApiFunction", "WorkerFunction")


def use_fake_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and a region, and nothing that could reach a real account."""
    for name, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@cache
def template_stack() -> Stack:
    """template.yaml as `sam deploy` would create it with its defaults (and the local value of
    SenderEmail, which has none): what the local cloud runs."""
    return Stack.from_template(translate(TEMPLATE))


def provisioned(aws: AwsEndpoint, known: Deployment | None = None) -> Deployment:
    """The stack in the endpoint: `known` if it is still there, else provisioned afresh (moto
    was reset meanwhile, or nothing was provisioned yet)."""
    if known is not None and _still_there(known):
        return known
    return provision(template_stack(), aws)


def _still_there(deployment: Deployment) -> bool:
    try:
        deployment.aws.client("sqs").get_queue_attributes(
            QueueUrl=deployment.queues()["TaskQueue"], AttributeNames=["QueueArn"]
        )
        deployment.aws.client("dynamodb").describe_table(TableName=table_name(deployment))
    except Exception as exc:
        if getattr(exc, "response", None) is None:
            raise
        return False
    return True


def clear_data(deployment: Deployment) -> None:
    """Everything a test may have left in the stack's resources, gone; anything it created
    beside them, deleted. The resources themselves stay as provisioned."""
    aws = deployment.aws
    sqs = aws.client("sqs")
    queues = set(deployment.queues().values())
    with _purges_allowed():
        for url in sqs.list_queues().get("QueueUrls", []):
            if url in queues:
                sqs.purge_queue(QueueUrl=url)
            else:
                sqs.delete_queue(QueueUrl=url)
    dynamodb = aws.client("dynamodb")
    tables = {str(t.ref) for t in deployment.registry.of_type("AWS::DynamoDB::Table").values()}
    for table in dynamodb.list_tables()["TableNames"]:
        if table in tables:
            _delete_items(dynamodb, table)
        else:
            dynamodb.delete_table(TableName=table)
    s3 = aws.client("s3")
    buckets = {str(b.ref) for b in deployment.registry.of_type("AWS::S3::Bucket").values()}
    for bucket in s3.list_buckets()["Buckets"]:
        _delete_objects(s3, bucket["Name"])
        if bucket["Name"] not in buckets:
            s3.delete_bucket(Bucket=bucket["Name"])
    scheduler = aws.client("scheduler")
    groups = {
        str(g.ref) for g in deployment.registry.of_type("AWS::Scheduler::ScheduleGroup").values()
    }
    schedules = {
        str(s.ref) for s in deployment.registry.of_type("AWS::Scheduler::Schedule").values()
    }
    for schedule in scheduler.list_schedules().get("Schedules", []):
        if schedule["Name"] not in schedules:
            scheduler.delete_schedule(Name=schedule["Name"], GroupName=schedule["GroupName"])
    for group in scheduler.list_schedule_groups().get("ScheduleGroups", []):
        if group["Name"] not in groups | {"default"}:
            scheduler.delete_schedule_group(Name=group["Name"])


@contextmanager
def _purges_allowed() -> Iterator[None]:
    # SQS allows one purge a minute per queue, and moto says so too; tests follow each other
    # faster than that. (Read by moto's in-process backends at each purge; a server process
    # must be started with it: tests/functional/conftest.py's moto_server.)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR", "false")
        yield


def _delete_items(dynamodb: Any, table: str) -> None:
    keys = [
        {"pk": item["pk"], "sk": item["sk"]}
        for page in dynamodb.get_paginator("scan").paginate(
            TableName=table, ProjectionExpression="pk, sk"
        )
        for item in page["Items"]
    ]
    for start in range(0, len(keys), 25):
        dynamodb.batch_write_item(
            RequestItems={table: [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]}
        )


def _delete_objects(s3: Any, bucket: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})


def function_environment(deployment: Deployment) -> dict[str, str]:
    """The variables template.yaml gives the functions, resolved (queue URLs, table and bucket
    names, sender, configuration set, retention, quotas ...), as the handlers read them."""
    merged: dict[str, str] = {}
    conflicting: set[str] = set()
    for function in FUNCTIONS:
        for name, value in deployment.function(function).variables.items():
            if merged.setdefault(name, value) != value:
                conflicting.add(name)
    return {name: value for name, value in merged.items() if name not in conflicting}


def table_name(deployment: Deployment) -> str:
    return str(deployment.registry.ref("DataTable"))


def bucket_name(deployment: Deployment) -> str:
    return str(deployment.registry.ref("UploadBucket"))


class InProcessStack:
    """The stack in moto's in-process backends, kept between tests.

    moto's mock is started without a reset and stopped without removing data, so what was
    provisioned stays; a mock elsewhere that resets moto takes it away, and the next test
    provisions it again.
    """

    def __init__(self) -> None:
        self._aws = AwsEndpoint("", REGION)
        self._deployment: Deployment | None = None

    @contextmanager
    def running(self) -> Iterator[Deployment]:
        """moto's mock, with the stack provisioned and its data cleared."""
        from moto import mock_aws

        # S3's notifications with the sequencer S3 writes and moto leaves out, as the local
        # cloud's moto server sends them.
        s3_events.install()
        mock = mock_aws()
        mock.start(reset=False)
        try:
            self._deployment = provisioned(self._aws, self._deployment)
            clear_data(self._deployment)
            sent_emails().clear()
            yield self._deployment
        finally:
            mock.stop(remove_data=False)


IN_PROCESS = InProcessStack()


def sent_emails() -> list[Any]:
    """What moto's in-process SES accepted (SESv2 sends land in SES's backend)."""
    from moto.ses.models import ses_backends

    stack = template_stack()
    messages: list[Any] = ses_backends[stack.account_id][stack.region].sent_messages
    return messages


def queue_depth(sqs: SQSClient, url: str) -> int:
    """Messages on a queue: visible, in flight or delayed.

    moto counts each kind in turn against the clock, so a message whose visibility ends between
    the first count and the last is in none of them: an empty queue is believed when two
    readings say so (by the second, such a message is counted as visible).
    """
    return _counted(sqs, url) or _counted(sqs, url)


def _counted(sqs: SQSClient, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url,
        AttributeNames=[
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        ],
    )["Attributes"]
    return sum(int(v) for v in attributes.values())


@contextmanager
def items_written_atomically() -> Iterator[None]:
    """moto's DynamoDB, writing each item as DynamoDB does: a condition and the write it guards
    as one step. moto reads the item, checks the condition and writes without a lock, so
    threads can pass a condition on a value another one is changing; a test of our conditional
    writes under concurrency needs the platform's guarantee, not moto's gap."""
    import threading

    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.Lock()

    def serialized(write: Any) -> Any:
        def locked(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return write(*args, **kwargs)

        return locked

    with pytest.MonkeyPatch.context() as patch:
        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            patch.setattr(DynamoDBBackend, name, serialized(getattr(DynamoDBBackend, name)))
        yield
