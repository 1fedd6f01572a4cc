"""Files: sent through the API (up to 4 MiB) or POSTed straight to S3 with a presigned form
(larger ones), then processed by the worker's `process_upload` task when S3 announces the
object. The API never queues a task for a file: the bucket's notification is the one trigger
for both ways in.

Each file is its uploader's: only they (and admins) read it back, and the bytes they send count
against their daily upload quota (a presigned POST counts what it allows).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, HTTPException, Path, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field, StrictInt
from starlette.concurrency import run_in_threadpool

from api.caller import Caller, CurrentCaller
from api.deps import Bucket, FileDB, Tasks, UploadQuota, charge, writes
from api.errors import ADMIN_UNCONFIRMED, AUTHENTICATED, BODY, NOT_FOUND
from app.uploads import policy
from app.uploads.files import FileStatus, UploadedFile
from app.uploads.keys import FILE_ID_PATTERN, new_file_id
from app.uploads.names import sanitize_filename

router = APIRouter(tags=["files"], responses=AUTHENTICATED)

FileId = Annotated[str, Path(pattern=FILE_ID_PATTERN)]


class UploadForm(BaseModel):
    # One field: anything else in the form is a mistake worth a 422, not silently ignored.
    model_config = ConfigDict(extra="forbid")

    file: UploadFile


class UploadRequest(BaseModel):
    """The file a client is about to POST to S3: what it says it is, checked again later."""

    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=1024)
    content_type: str = Field(min_length=1, max_length=100)
    size: StrictInt = Field(ge=1, le=policy.MAX_PRESIGNED_BYTES)


class FileAccepted(BaseModel):
    id: str
    status: FileStatus
    status_url: str


class PresignedPost(BaseModel):
    """POST `fields` then the file (last) as multipart/form-data to `url`."""

    url: str
    fields: dict[str, str]
    expires_in: int
    max_bytes: int


class UploadAuthorized(FileAccepted):
    upload: PresignedPost


def _declared(content_type: str | None) -> str | None:
    """The client's media type if we accept it, None if it did not know; 415 otherwise."""
    value = policy.normalize_content_type(content_type or policy.UNKNOWN_CONTENT_TYPE)
    if value == policy.UNKNOWN_CONTENT_TYPE:
        return None
    if value not in policy.ALLOWED_CONTENT_TYPES:
        raise _unsupported()
    return value


def _unsupported() -> HTTPException:
    return HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        f"Files must be one of: {', '.join(sorted(policy.ALLOWED_CONTENT_TYPES))}",
    )


def _invalid(field: str, message: str) -> HTTPException:
    # The same shape as the API's other 422 answers.
    return HTTPException(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        [{"loc": ["body", field], "msg": message, "type": "value_error"}],
    )


def _new_file(
    caller: Caller, via: Literal["api", "presigned"], filename: str | None, declared: str | None
) -> UploadedFile:
    return UploadedFile(
        id=new_file_id(),
        owner=caller.sub,
        via=via,
        name=sanitize_filename(filename),
        declared_content_type=declared,
        created_at=datetime.now(UTC),
    )


def _accepted(file: UploadedFile) -> FileAccepted:
    status = "awaiting_upload" if file.via == "presigned" else "uploaded"
    return FileAccepted(id=file.id, status=status, status_url=f"/files/{file.id}")


@router.post(
    "/upload",
    status_code=status.HTTP_202_ACCEPTED,
    **writes(
        BODY,
        {503: {"description": f"The file could not be stored, or {ADMIN_UNCONFIRMED}; try again"}},
        quota=True,
    ),
)
async def upload(
    form: Annotated[UploadForm, Form()],
    caller: CurrentCaller,
    files: FileDB,
    bucket: Bucket,
    quota: UploadQuota,
) -> FileAccepted:
    """Store a file of up to 4 MiB; the worker processes it once S3 has it."""
    from botocore.exceptions import BotoCoreError, ClientError

    upload = form.file
    declared = _declared(upload.content_type)
    if upload.size is not None and upload.size > policy.MAX_DIRECT_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"Files over {policy.MAX_DIRECT_BYTES} bytes go through POST /uploads",
        )
    if not upload.size:
        raise _invalid("file", "The file is empty")
    await charge(quota, caller.sub, amount=upload.size)
    file = _new_file(caller, "api", upload.filename, declared)
    # The record first: when S3 announces the object, the worker finds it already there.
    await run_in_threadpool(files.create, file)
    upload.file.seek(0)
    try:
        await run_in_threadpool(
            bucket.put_upload, file.id, upload.file, declared or policy.UNKNOWN_CONTENT_TYPE
        )
    except (BotoCoreError, ClientError):
        # Nothing was stored: take back what this request did, so that its retry starts clean.
        await run_in_threadpool(quota.refund, caller.sub, upload.size)
        await run_in_threadpool(files.delete, file.id)
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "The file could not be stored; try again"
        ) from None
    return _accepted(file)


@router.post(
    "/uploads",
    status_code=status.HTTP_201_CREATED,
    **writes(BODY, quota=True),
)
async def authorize_upload(
    request: UploadRequest,
    caller: CurrentCaller,
    files: FileDB,
    bucket: Bucket,
    quota: UploadQuota,
) -> UploadAuthorized:
    """A presigned POST for one file of up to 100 MiB, sent straight to S3 within 60 seconds.

    S3 holds the client to the size it declared: that is what the daily quota counts.
    """
    declared = _declared(request.content_type)
    if declared is None:
        # Signed into the policy, the type must be a real one: S3 will hold the client to it.
        raise _unsupported()
    await charge(quota, caller.sub, amount=request.size)
    file = _new_file(caller, "presigned", request.filename, declared)
    await run_in_threadpool(files.create, file)
    post: dict[str, Any] = await run_in_threadpool(
        bucket.presigned_post, file.id, declared, request.size
    )
    accepted = _accepted(file)
    return UploadAuthorized(
        **accepted.model_dump(),
        upload=PresignedPost(
            url=post["url"],
            fields=post["fields"],
            expires_in=policy.PRESIGNED_POST_EXPIRES_SECONDS,
            max_bytes=request.size,
        ),
    )


@router.get("/files/{file_id}", responses=NOT_FOUND)
async def get_file(
    file_id: FileId,
    caller: CurrentCaller,
    files: FileDB,
    tasks: Tasks,
    bucket: Bucket,
) -> UploadedFile:
    """The file's facts and where its processing stands (its task's state and reason);
    thumbnails come with links valid for five minutes."""
    file = caller.own(await run_in_threadpool(files.get, file_id), "file")
    task = await run_in_threadpool(tasks.status, file.task_id) if file.task_id else None
    # Kept under the digest of the object they were made from: the one the record describes.
    digest = file.sha256 or ""
    thumbnails = [
        thumbnail.model_copy(update={"url": bucket.thumbnail_link(file.id, digest, thumbnail)})
        for thumbnail in (file.result.thumbnails if digest else [])
    ]
    seen = file.seen_with(task)
    return seen.model_copy(
        update={"result": seen.result.model_copy(update={"thumbnails": thumbnails})}
    )
