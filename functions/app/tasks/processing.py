"""Data processing: summarise a dataset posted to the API. An `async def` task."""

from __future__ import annotations

from pydantic import JsonValue

from app.data_summary import summarize
from app.summaries import SummaryStore
from offload import task


@task("summarize_dataset")
async def summarize_dataset(dataset_id: str, records: list[dict[str, JsonValue]]) -> None:
    # Saving the same summary again on a redelivery is harmless: same key, same document.
    SummaryStore().save(dataset_id, source="api", summary=summarize(records))
