"""An uploaded file (FILE#<id> in the application table): created by the API when the upload is
accepted, with its owner; completed by the worker's `process_upload` task with what the file
turned out to be; read back by GET /files/{id} for that owner.

The file's facts live here; where its processing stands is its task's (its row: offload.rows): the
status a client reads is derived from both. The API only ever puts whole records (its role may
not update).

A presigned POST can be used again until it expires, and each object it puts overwrites the one
before under the file's key. Every object that lands is taken up by a task of its own, and the
record follows the newest: S3's sequencer orders the objects of one key (`sequencer`, the newest
taken up), and only the task of that object may write the facts, so two objects examined at
once never leave the older one's facts on the record. A later object is examined again rather
than deleted: by the time it is announced it has overwritten the first, so deleting it would
leave the record describing nothing. Each object is counted once against its owner's daily
quota (`counted`): the first when the API accepted the upload, every other when it is taken up.

Every record says when it is due to go (`sweep_at`), in the sweep index (template.yaml:
DataTable's UploadSweep): when its upload expires from the bucket, or, for a presigned POST
nobody has used, a day after it was handed out. The daily cleanup reads what is due there, and
nothing else of the table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from app.data_summary import DatasetSummary
from app.table import ConditionFailedError, Record, values_of
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
    #: A presigned link to it, valid for five minutes (its key: the file's id, the digest of the
    #: object it was made from, its size).
    url: str | None = None


class FileResult(BaseModel):
    """What the worker found, stored as one JSON document: read whole, never queried."""

    summary: DatasetSummary | None = None
    #: The data file had more rows than are summarised; the summary covers the first ones.
    summary_truncated: bool = False
    thumbnails: list[Thumbnail] = Field(default_factory=list)


class UploadedFile(Record):
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
    #: The task of the newest object taken up under the file's key, once there is one.
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
#: A presigned POST lasts a minute and its object's notification follows within seconds: a
#: record still unclaimed a day later is an upload that never arrived.
UNCLAIMED_AFTER = timedelta(days=1)

#: Concurrent take-ups of objects of one file are told apart by conditional writes; each
#: failed one means another object was taken up meanwhile, which a few objects cannot repeat.
TAKE_UP_ATTEMPTS = 5


class FileRecordMissingError(LookupError):
    """Raise when there is no record for an uploaded object: the API did not accept it."""


class TakeUpContendedError(RuntimeError):
    """Raise when a file's record kept changing under an object's take-up (retried)."""


@dataclass(frozen=True)
class TakeUp:
    """What an object's arrival comes to for its file."""

    #: The file, as it was when the object arrived.
    file: UploadedFile
    #: No newer object of the key was taken up: the record follows this one now, and its task
    #: writes the facts. False: a newer one was, so this one was overwritten before the worker
    #: reached it, and there is nothing left of it to do.
    newest: bool
    #: Neither the file's first object (counted when the API accepted the upload) nor counted
    #: yet: its size is to be charged to its owner.
    chargeable: bool


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
        return _file(values) if values is not None else None

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

    def take_up(self, file_id: str, order: str, task_id: str) -> TakeUp:
        """An object of order `order` (UploadedObject.order) landed under the file's key and
        `task_id` processes it: the record follows it if it is the newest yet. Taking up the
        same object again (its task retried) changes nothing. FileRecordMissingError when the
        API never made a record for the file."""
        values = self._table.get(key(file_id), consistent=True)
        for _ in range(TAKE_UP_ATTEMPTS):
            if values is None:
                raise FileRecordMissingError(f"no record for file {file_id}")
            followed = values.get("sequencer")
            if followed is not None and str(followed) > order:
                return TakeUp(_file(values), newest=False, chargeable=False)
            first = values.get("task_id") is None
            counted = order in values.get("counted", ())
            taken = TakeUp(_file(values), newest=True, chargeable=not first and not counted)
            if followed == order and values.get("task_id") == task_id:
                return taken
            # Only a newer object than the record follows (or the first at all) may take the
            # record over; the first one is counted as the API charged it.
            # Taken up, the record is due when its upload expires (as one made for an
            # upload through the API is from the start).
            expression = "SET sequencer = :order, task_id = :task, sweep_at = expires_at"
            condition = "attribute_not_exists(sequencer) OR sequencer <= :order"
            expression_values: dict[str, Any] = {":order": order, ":task": task_id}
            if first:
                expression += " ADD counted :orders"
                condition = f"attribute_not_exists(task_id) AND ({condition})"
                expression_values[":orders"] = {order}
            try:
                self._table.update(
                    key(file_id),
                    expression,
                    condition=f"attribute_exists(pk) AND ({condition})",
                    expression_values=expression_values,
                    old_on_failure=True,
                )
            except ConditionFailedError as exc:
                values = exc.old
                continue
            return taken
        raise TakeUpContendedError(f"file {file_id} kept changing while an object was taken up")

    def count(self, file_id: str, order: str) -> None:
        """The object of order `order` is counted against its owner's quota: it is not
        charged again (adding to a set: writing it twice is writing it once)."""
        self._table.update(
            key(file_id),
            "ADD counted :orders",
            condition="attribute_exists(pk)",
            expression_values={":orders": {order}},
        )

    def finish(
        self,
        file_id: str,
        order: str,
        *,
        size: int | None,
        sha256: str | None,
        content_type: str | None,
        result: FileResult | None = None,
        reason: Reason | None = None,
    ) -> bool:
        """Record what the file is, found from the object of order `order`: a result, or why
        there is none. False, and nothing written, when a newer object was taken up meanwhile:
        its own task records it. Writing the same outcome again leaves the same record:
        redeliveries are harmless."""
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
        try:
            self._table.update(
                key(file_id),
                expression,
                condition="sequencer = :order",
                names={f"#{name}": name for name in facts},
                expression_values={f":{name}": value for name, value in present.items()}
                | {":order": order},
            )
        except ConditionFailedError:
            return False
        return True


def _file(values: dict[str, Any]) -> UploadedFile:
    decoded = dict(values)
    for name in ("result", "reason"):
        if isinstance(decoded.get(name), str):
            decoded[name] = json.loads(decoded[name])
    return UploadedFile.model_validate(decoded)
