"""Provisioners refuse what they cannot do, before calling AWS."""

from __future__ import annotations

from typing import Any, cast

import pytest

from offload_local.errors import UnsupportedResourceError
from offload_local.provision import PROVISIONERS
from offload_local.provision.base import ProvisionContext


def test_an_unknown_property_is_refused_with_its_name() -> None:
    queue = PROVISIONERS["AWS::SQS::Queue"]
    context = cast(ProvisionContext, None)  # never reached

    with pytest.raises(UnsupportedResourceError, match=r"TaskQueue .* Bogus"):
        queue.provision(context, "TaskQueue", {"VisibilityTimeout": 30, "Bogus": 1})


@pytest.mark.parametrize(
    ("resource_type", "properties", "message"),
    [
        ("AWS::Lambda::Function", {"Handler": "x.y", "Runtime": "nodejs22.x"}, "nodejs22.x"),
        (
            "AWS::Lambda::EventSourceMapping",
            {"EventSourceArn": "arn:aws:kinesis:us-east-1:1:stream/s", "FunctionName": "f"},
            "only SQS",
        ),
        ("AWS::ApiGatewayV2::Api", {"ProtocolType": "WEBSOCKET"}, "only HTTP APIs"),
        (
            "AWS::Lambda::Function",
            {
                "Handler": "x.y",
                "Runtime": "python3.13",
                "LoggingConfig": {"LogGroup": "g", "LogFormat": "JSON"},
            },
            "LoggingConfig.LogFormat",
        ),
        (
            "AWS::SES::ConfigurationSetEventDestination",
            {
                "ConfigurationSetName": "s",
                "EventDestination": {"MatchingEventTypes": ["bounce"], "SnsDestination": {}},
            },
            "EventDestination.SnsDestination",
        ),
        (
            "AWS::Logs::MetricFilter",
            {
                "FilterPattern": "ERROR",
                "LogGroupName": "g",
                "MetricTransformations": [
                    {"MetricName": "m", "MetricNamespace": "n", "MetricValue": "1", "Bogus": 1}
                ],
            },
            "metric transformation keys Bogus",
        ),
    ],
)
def test_what_cannot_run_locally_is_refused(
    resource_type: str, properties: dict[str, Any], message: str
) -> None:
    context = cast(ProvisionContext, None)

    with pytest.raises(UnsupportedResourceError, match=message):
        PROVISIONERS[resource_type].provision(context, "Thing", properties)


def test_every_provisioner_knows_its_type() -> None:
    assert all(name == p.resource_type for name, p in PROVISIONERS.items())
