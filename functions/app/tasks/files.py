"""Uploaded files reach the worker as S3 ObjectCreated notifications on the task queue, not as
task envelopes: this route is how the worker recognises and handles them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.uploads.events import MalformedEventError, is_object_created, object_created_events
from offload import PermanentTaskError, TaskRejectedError

if TYPE_CHECKING:
    from offload.routing import Message


class S3ObjectCreatedRoute:
    """Messages whose records are all S3 ObjectCreated events; each record is one file."""

    name = "s3_object_created"

    def matches(self, message: Message) -> bool:
        return is_object_created(message.body)

    def handle(self, message: Message) -> None:
        # Imported on the first upload: a worker busy with emails never loads the file code.
        from app.uploads.processing import process_upload

        try:
            events = object_created_events(message.body)
        except MalformedEventError as exc:
            raise PermanentTaskError(str(exc)) from None
        refused: list[str] = []
        rejected: list[TaskRejectedError] = []
        for event in events:
            # S3 sends one record per message; should there be more, a permanent failure of
            # one must not keep the others from being processed. A retryable error is raised
            # at once: the retry processes them all again, which changes nothing that is done.
            try:
                outcome = process_upload(event)
            except PermanentTaskError as exc:
                refused.append(str(exc))
                continue
            if outcome is not None and outcome.reason is not None:
                rejected.append(TaskRejectedError(outcome.reason.code, outcome.reason.message))
        if refused:
            raise PermanentTaskError("; ".join(refused))
        if rejected:
            # Recorded on the file already; raised so that the worker counts the rejection.
            raise rejected[0]
