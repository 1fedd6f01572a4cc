"""Data processing: summarise a dataset posted to the API. An `async def` task."""

from __future__ import annotations

from pydantic import JsonValue

from app.data_summary import InvalidDataError, summarize
from app.wiring import wiring
from offload import TaskRejectedError, task
from offload.reasons import Reason


@task("summarize_dataset")
async def summarize_dataset(dataset_id: str, records: list[dict[str, JsonValue]]) -> None:
    datasets = wiring().datasets
    try:
        summary = summarize(records)
    except InvalidDataError as exc:
        # The dataset is the user's: its record says why, and nobody is paged.
        reason = Reason(code="invalid_data", message=str(exc))
        datasets.complete(dataset_id, reason=reason)
        raise TaskRejectedError(reason.code, reason.message) from None
    # Saving the same summary again on a redelivery is harmless: same key, same document.
    datasets.complete(dataset_id, summary=summary)
