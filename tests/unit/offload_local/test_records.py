"""SQS event records in Lambda's shape, from ReceiveMessage answers."""

from __future__ import annotations

from offload_local.event_sources.records import message_attribute, sqs_event

ARN = "arn:aws:sqs:us-east-1:123456789012:local-TaskQueue"


def test_a_record_has_lambdas_keys_and_values() -> None:
    message = {
        "MessageId": "id-1",
        "ReceiptHandle": "rh-1",
        "Body": '{"v":1}',
        "MD5OfBody": "abc",
        "Attributes": {
            "ApproximateReceiveCount": "2",
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDA",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
        },
    }

    event = sqs_event([message], ARN, "us-east-1")

    assert event == {
        "Records": [
            {
                "messageId": "id-1",
                "receiptHandle": "rh-1",
                "body": '{"v":1}',
                "attributes": message["Attributes"],
                "messageAttributes": {},
                "md5OfBody": "abc",
                "eventSource": "aws:sqs",
                "eventSourceARN": ARN,
                "awsRegion": "us-east-1",
            }
        ]
    }


def test_message_attributes_carry_lists_and_base64_binaries() -> None:
    message = {
        "MessageId": "id-1",
        "ReceiptHandle": "rh",
        "Body": "b",
        "MD5OfBody": "x",
        "MD5OfMessageAttributes": "y",
        "MessageAttributes": {
            "reason": {"StringValue": "unknown task", "DataType": "String"},
            "blob": {"BinaryValue": b"\x00\x01", "DataType": "Binary"},
        },
    }

    record = sqs_event([message], ARN, "us-east-1")["Records"][0]

    assert record["md5OfMessageAttributes"] == "y"
    assert record["messageAttributes"] == {
        "reason": {
            "stringValue": "unknown task",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "String",
        },
        "blob": {
            "binaryValue": "AAE=",
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": "Binary",
        },
    }


def test_number_attributes_stay_text() -> None:
    assert message_attribute({"StringValue": "5", "DataType": "Number"})["stringValue"] == "5"
