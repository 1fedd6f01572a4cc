"""An uploaded file (FILE#<id> in the application table): created by the API when the upload is
accepted, with its owner; completed by the worker's `process_upload` task with what the file
turned out to be; read back by GET /files/{id} for that owner.

The file's facts live here; where its processing stands is its task's (its row: offload.rows): the
status a client reads is derived from both. The API only ever puts whole records (its role may
not update); the worker claims a file for one task only, so an object put again under the
same key (a presigned POST used twice) is not processed again.

Every record says when it is due to go (`sweep_at`), in the sweep index (template.yaml:
DataTable's UploadSweep): when its upload expires from the bucket, or, for a presigned POST
nobody has used, a day after it was handed out. The daily cleanup reads what is due there, and
nothing else of the table.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.data_summary import DatasetSummary
from app.table import ConditionFailedError, values_of
from offload.reasons import Reason

if TYPE_CHECKING:
    from app.table import Table
    from offload.rows import TaskRow

#: awaiting_upload: a presigned POST was handed out; uploaded: the API stored the file;
#: processing: its task is queued or running; ready or failed: its task is done.
FileStatus = Literal["awaiting_upload", "uploaded", "processing", "ready", "failed"]
#: What a task's state means for its file.
_TASK_TO_FILE: dict[str, FileStatus] = {
    "queued": "processing",
    "scheduled": "processing",
    "running": "processing",
    "retrying": "processing",
    "succeeded": "ready",
    "failed": "failed",
    "dead_lettered": "failed",
    "cancelled": "failed",
}


class Thumbnail(BaseModel):
    """One thumbnail of an image, as stored, and as a client gets it (with a link)."""

    size: int
    width: int
    height: int
    content_type: str = "image/png"
    #: A presigned link to it, valid for five minutes (its key is the file's id and its size).
    url: str | None = None


class FileResult(BaseModel):
    """What the worker found, stored as one JSON document: read whole, never queried."""

    summary: DatasetSummary | None = None
    #: The data file had more rows than are summarised; the summary covers the first ones.
    summary_truncated: bool = False
    thumbnails: list[Thumbnail] = Field(default_factory=list)


class UploadedFile(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    #: The `sub` of the user who uploaded it: only they (and admins) may read it. Never shown.
    owner: str = Field(exclude=True)
    #: How it arrives: through the API, or straight to S3 with a presigned POST.
    via: Literal["api", "presigned"]
    #: The client's filename, sanitised; never used in an object key.
    name: str
    #: What the client said the file is: compared with what it turns out to be.
    declared_content_type: str | None = None
    created_at: datetime
    #: The task processing it, once the worker has taken it up.
    task_id: str | None = None
    size: int | None = None
    sha256: str | None = None
    #: Sniffed from the bytes by the worker.
    content_type: str | None = None
    result: FileResult = Field(default_factory=FileResult)
    processed_at: datetime | None = None
    #: Why it failed, as its owner reads it (also its task's reason, while the task is kept).
    reason: Reason | None = None
    #: Derived when read: from the task while it is kept, from the facts after.
    status: FileStatus = "uploaded"

    def seen_with(self, task: TaskRow | None) -> UploadedFile:
        """The file as its owner sees it, with its task's state."""
        if self.task_id is None:
            status: FileStatus = "awaiting_upload" if self.via == "presigned" else "uploaded"
            return self.model_copy(update={"status": status})
        if task is not None:
            return self.model_copy(
                update={"status": _TASK_TO_FILE[task.status], "reason": task.reason or self.reason}
            )
        # The task's row is kept for weeks, the file for as long as the upload: what the
        # worker wrote on the file tells the rest.
        if self.processed_at is None:
            return self.model_copy(update={"status": "processing"})
        return self.model_copy(update={"status": "failed" if self.reason else "ready"})


def key(file_id: str) -> dict[str, str]:
    return {"pk": f"FILE#{file_id}", "sk": "FILE"}


#: The index of file records by when each is due to go: one partition (every record has the
#: same `sweep_key`), sorted by `sweep_at` (epoch seconds), so what is due is one key range.
SWEEP_INDEX = "UploadSweep"
SWEEP_KEY = "SWEEP#FILE"
#: A presigned POST lasts 5 minutes and its object's notification follows within seconds: a
#: record still unclaimed a day later is an upload that never arrived.
UNCLAIMED_AFTER = timedelta(days=1)


class FileRecordMissingError(LookupError):
    """Raise when there is no record for an uploaded object: the API did not accept it."""


class FileStore:
    def __init__(self, table: Table, retention: timedelta) -> None:
        self._table = table
        self._retention = retention

    # The API's side: whole records.

    def create(self, file: UploadedFile) -> None:
        """Store a new record; the id is new, so an existing one would be a bug."""
        values = values_of(file)
        # The upload and its thumbnails leave the bucket after the retention; so does this.
        expires = file.created_at + self._retention
        values["expires_at"] = int(expires.timestamp())
        # Until its upload arrives (claim), a presigned POST's record is due much sooner.
        unclaimed = file.via == "presigned" and file.task_id is None
        values["sweep_key"] = SWEEP_KEY
        values["sweep_at"] = int(
            (file.created_at + UNCLAIMED_AFTER if unclaimed else expires).timestamp()
        )
        for derived in ("status", "result"):
            values.pop(derived, None)
        self._table.put(key(file.id) | values, condition="attribute_not_exists(pk)")

    def delete(self, file_id: str) -> None:
        self._table.delete(key(file_id))

    def get(self, file_id: str) -> UploadedFile | None:
        values = self._table.get(key(file_id), consistent=True)
        if values is None:
            return None
        for name in ("result", "reason"):
            if isinstance(values.get(name), str):
                values[name] = json.loads(values[name])
        return UploadedFile.model_validate(values)

    # The worker's side: updates of a record the API made, and the daily sweep.

    def sweep(self, now: datetime) -> list[str]:
        """Delete the records that are due: uploads that never arrived (a presigned POST nobody
        used, UNCLAIMED_AFTER old) and uploads whose object has expired (the bucket's lifecycle
        took it; the record's TTL would only follow within days). Reads the due part of the
        sweep index only. Returns the ids of the records deleted."""
        due = int(now.timestamp())
        found = self._table.query(
            "sweep_key = :sweep AND sweep_at <= :due",
            {":sweep": SWEEP_KEY, ":due": due},
            projection="pk",
            index=SWEEP_INDEX,
        )
        removed = []
        for values in found:
            file_id = str(values["pk"]).removeprefix("FILE#")
            try:
                # The index lags the table: a record claimed since is due later, and stays.
                self._table.delete(
                    key(file_id), condition="sweep_at <= :due", expression_values={":due": due}
                )
            except ConditionFailedError:
                continue
            removed.append(file_id)
        return removed

    def claim(self, file_id: str, task_id: str) -> bool:
        """Take the file for processing by `task_id`. False when another task has it (the
        object was put again after the first one was taken up); FileRecordMissingError when
        the API never made a record for it."""
        try:
            # Taken up, the record is due when its upload expires (as one made for an upload
            # through the API is from the start).
            self._table.update(
                key(file_id),
                "SET task_id = :task, sweep_at = expires_at",
                condition="attribute_exists(pk) AND "
                "(attribute_not_exists(task_id) OR task_id = :task)",
                expression_values={":task": task_id},
                old_on_failure=True,
            )
        except ConditionFailedError as exc:
            if exc.old is None:
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
        """Record what the file is: a result, or why there is none. Writing the same outcome
        again leaves the same record: redeliveries are harmless."""
        facts: dict[str, Any] = {
            "processed_at": datetime.now(UTC).isoformat(),
            "size": size,
            "sha256": sha256,
            "content_type": content_type,
            # As JSON documents: a summary's numbers may be beyond a DynamoDB number's range.
            "result": result.model_dump_json() if result is not None else None,
            "reason": reason.model_dump_json() if reason is not None else None,
        }
        present = {name: value for name, value in facts.items() if value is not None}
        expression = "SET " + ", ".join(f"#{name} = :{name}" for name in present)
        gone = [name for name in facts if name not in present]
        if gone:
            expression += " REMOVE " + ", ".join(f"#{name}" for name in gone)
        self._table.update(
            key(file_id),
            expression,
            names={f"#{name}": name for name in facts},
            expression_values={f":{name}": value for name, value in present.items()},
        )
