"""moto in process for the modules that speak to AWS (a table, a queue, a bucket, the
scheduler): their requests and answers as the services make them, without a server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.moto_aws import REGION, template_stack, use_fake_credentials

#: The table's key and indexes, as template.yaml declares them.
TABLE_SHAPE = ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """boto3, inside moto: `aws("sqs")` is a client of the mocked service."""
    use_fake_credentials(monkeypatch)
    with mock_aws():
        yield lambda service: boto3.client(service, region_name=REGION)


@pytest.fixture
def dynamodb(aws: Any) -> Any:
    client = aws("dynamodb")
    properties = template_stack().translated.resources["DataTable"]["Properties"]
    client.create_table(
        TableName="DataTable", **{k: properties[k] for k in TABLE_SHAPE if k in properties}
    )
    return client


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[tuple[float, float]]:
    """The range each of offload.dynamodb's resends draws its pause from; nothing waits."""
    ranges: list[tuple[float, float]] = []

    def uniform(low: float, high: float) -> float:
        ranges.append((low, high))
        return high

    monkeypatch.setattr("offload.dynamodb.random.uniform", uniform)
    monkeypatch.setattr("offload.dynamodb.time.sleep", lambda seconds: None)
    return ranges
