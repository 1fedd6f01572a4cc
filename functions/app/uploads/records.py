"""A file's record (FILE#<id> in the application table): created by the API when the upload is
accepted (with its owner), completed by the worker once the file has been looked at, read back
by GET /files for that owner.

The API only ever puts whole records (its role may not update); the worker only updates, and
only a record the API made, so that it never erases what the API stored. The worker starts on a
file once: an object put again under the same key (a presigned POST used twice) after
processing began is not processed again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from app import aws
from app.data_summary import DatasetSummary
from app.settings import get_settings
from app.table import table_name
from offload.reasons import Reason

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

#: awaiting_upload: a presigned POST was handed out; uploaded: the API stored the file;
#: processing: the worker has started; ready or failed: the worker is done.
FileStatus = Literal["awaiting_upload", "uploaded", "processing", "ready", "failed"]


class ThumbnailInfo(BaseModel):
    size: int
    width: int
    height: int
    key: str
    content_type: str


class FileResult(BaseModel):
    """What the worker found, stored as one JSON document: read whole, never queried."""

    summary: DatasetSummary | None = None
    summary_truncated: bool = False
    thumbnails: list[ThumbnailInfo] = Field(default_factory=list)


class FileRecord(BaseModel):
    id: str
    status: FileStatus
    #: The `sub` of the user who uploaded it: only they (and admins) may read it. Never shown.
    owner: str = Field(exclude=True)
    #: The client's filename, sanitised; never used in an object key.
    name: str
    #: What the client said the file is: compared with what it turns out to be.
    declared_content_type: str | None = None
    created_at: datetime
    size: int | None = None
    sha256: str | None = None
    #: Sniffed from the bytes by the worker.
    content_type: str | None = None
    result: FileResult = Field(default_factory=FileResult)
    #: Why the file failed, as its owner may read it.
    reason: Reason | None = None
    processed_at: datetime | None = None


def _key(file_id: str) -> dict[str, AttributeValueTypeDef]:
    return {"pk": {"S": f"FILE#{file_id}"}, "sk": {"S": "FILE"}}


def _expires_at(created_at: datetime) -> str:
    # The upload and its thumbnails leave the bucket after this many days; so does the record.
    retention = timedelta(days=get_settings().UPLOAD_RETENTION_DAYS)
    return str(int((created_at + retention).timestamp()))


class FileStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    # The API's side: whole records.

    def create(self, record: FileRecord) -> None:
        """Store a new record; the id is new, so an existing one would be a bug."""
        aws.dynamodb().put_item(
            TableName=self._table,
            Item=_item(record),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def fail_upload(self, record: FileRecord, reason: Reason) -> None:
        """The API could not store the file: say so, unless the worker has already seen it."""
        from botocore.exceptions import ClientError

        failed = record.model_copy(update={"status": "failed", "reason": reason})
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item=_item(failed),
                ConditionExpression="#status = :status",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":status": {"S": record.status}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def get(self, file_id: str) -> FileRecord | None:
        response = aws.dynamodb().get_item(
            TableName=self._table, Key=_key(file_id), ConsistentRead=True
        )
        return _record(response["Item"]) if "Item" in response else None

    # The worker's side: updates of a record the API made.

    def start_processing(self, file_id: str, version: str) -> bool:
        """Claim the file for processing this object `version` (its S3 sequencer and ETag).

        True when the file was waiting for its upload, or is being processed for this same
        version (a redelivery); False when it is past that (processed, failed, or claimed for
        another version): the object is not processed again. Raises FileRecordMissingError
        when the API never made a record for the file.
        """
        from botocore.exceptions import ClientError

        try:
            aws.dynamodb().update_item(
                TableName=self._table,
                Key=_key(file_id),
                UpdateExpression="SET #status = :processing, version = :version",
                ConditionExpression="attribute_exists(pk) AND (#status IN (:awaiting, "
                ":uploaded) OR (#status = :processing AND version = :version))",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={
                    ":processing": {"S": "processing"},
                    ":awaiting": {"S": "awaiting_upload"},
                    ":uploaded": {"S": "uploaded"},
                    ":version": {"S": version},
                },
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            if "Item" not in exc.response:
                raise FileRecordMissingError(f"no record for file {file_id}") from None
            return False
        return True

    def finish(
        self,
        file_id: str,
        *,
        size: int | None,
        sha256: str | None,
        content_type: str | None,
        result: FileResult | None = None,
        reason: Reason | None = None,
    ) -> None:
        """Record the outcome: ready with a result, or failed with the reason. Writing the same
        outcome again leaves the same record: redeliveries are harmless."""
        values: dict[str, AttributeValueTypeDef] = {
            "status": {"S": "failed" if reason else "ready"},
            "processed_at": {"S": datetime.now(UTC).isoformat()},
        }
        if size is not None:
            values["size"] = {"N": str(size)}
        if sha256 is not None:
            values["sha256"] = {"S": sha256}
        if content_type is not None:
            values["content_type"] = {"S": content_type}
        if reason is not None:
            values["reason"] = {"S": reason.model_dump_json()}
        if result is not None:
            values["result"] = {"S": result.model_dump_json()}
        names = {f"#{name}": name for name in values}
        aws.dynamodb().update_item(
            TableName=self._table,
            Key=_key(file_id),
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":{name}": value for name, value in values.items()},
        )


class FileRecordMissingError(LookupError):
    """Raise when the worker finds no record for an uploaded object: the API did not put it."""


def _item(record: FileRecord) -> dict[str, AttributeValueTypeDef]:
    item: dict[str, AttributeValueTypeDef] = _key(record.id) | {
        "id": {"S": record.id},
        "status": {"S": record.status},
        "owner": {"S": record.owner},
        "name": {"S": record.name},
        "created_at": {"S": record.created_at.isoformat()},
        "expires_at": {"N": _expires_at(record.created_at)},
    }
    if record.declared_content_type:
        item["declared_content_type"] = {"S": record.declared_content_type}
    if record.reason:
        item["reason"] = {"S": record.reason.model_dump_json()}
    return item


def _record(item: dict[str, Any]) -> FileRecord:
    def text(name: str) -> str | None:
        value = item.get(name, {}).get("S")
        return str(value) if value is not None else None

    size = item.get("size", {}).get("N")
    processed_at = text("processed_at")
    result = text("result")
    reason = text("reason")
    return FileRecord(
        id=item["id"]["S"],
        status=item["status"]["S"],
        owner=item["owner"]["S"],
        name=item["name"]["S"],
        declared_content_type=text("declared_content_type"),
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        size=int(size) if size is not None else None,
        sha256=text("sha256"),
        content_type=text("content_type"),
        result=FileResult.model_validate_json(result) if result else FileResult(),
        reason=Reason.model_validate_json(reason) if reason else None,
        processed_at=datetime.fromisoformat(processed_at) if processed_at else None,
    )
