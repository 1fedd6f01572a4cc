"""SQS messages as Lambda hands them to a function: the `Records` of an SQS event.

boto3's ReceiveMessage answer is PascalCase with bytes for binary values; Lambda's event is
camelCase, with binary values in base64 and every attribute value carrying the list fields.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any


def sqs_event(messages: Sequence[Mapping[str, Any]], queue_arn: str, region: str) -> dict[str, Any]:
    """The event for one batch of received messages."""
    return {"Records": [sqs_record(m, queue_arn, region) for m in messages]}


def sqs_record(message: Mapping[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message.get("Body", ""),
        "attributes": {str(k): str(v) for k, v in message.get("Attributes", {}).items()},
        "messageAttributes": {
            str(name): message_attribute(value)
            for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message.get("MD5OfBody", ""),
    }
    if "MD5OfMessageAttributes" in message:
        # Present only when the message has attributes, as in Lambda's events.
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    record.update({"eventSource": "aws:sqs", "eventSourceARN": queue_arn, "awsRegion": region})
    return record


def message_attribute(value: Mapping[str, Any]) -> dict[str, Any]:
    """One message attribute in Lambda's shape (lists always present, binary in base64)."""
    out: dict[str, Any] = {}
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = _b64(value["BinaryValue"])
    out["stringListValues"] = list(value.get("StringListValues", []))
    out["binaryListValues"] = [_b64(v) for v in value.get("BinaryListValues", [])]
    out["dataType"] = value["DataType"]
    return out


def _b64(value: bytes | str) -> str:
    raw = value.encode() if isinstance(value, str) else value
    return base64.b64encode(raw).decode()
