"""Periodic upkeep: the daily cleanup (template.yaml: DailyCleanupSchedule)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from app import clients
from app.dead_letters import dead_letter_counts
from app.wiring import wiring
from offload import task

logger = logging.getLogger(__name__)

#: A presigned POST lasts a minute and its object's notification follows within seconds: a
#: record still unclaimed a day later is an upload that never arrived.
UNCLAIMED_AFTER = timedelta(days=1)


@task("daily_cleanup", schedule="cron(0 3 * * ? *)")
def daily_cleanup() -> None:
    """Remove the records of uploads that never arrived or whose objects expired, and report
    what the dead-letter queues hold. Running it twice removes nothing more."""
    from aws_lambda_powertools.metrics import Metrics, MetricUnit

    parts = wiring()
    removed = parts.files.sweep(datetime.now(UTC), UNCLAIMED_AFTER)
    urls = [u for u in parts.settings.WATCHED_DEAD_LETTER_QUEUE_URLS.split(",") if u]
    held = dead_letter_counts(urls, clients.sqs)
    logger.info(
        "daily cleanup: %d upload record(s) removed; dead-letter queues hold %d message(s)",
        len(removed),
        sum(held.values()),
        extra={"removed_files": removed, "dead_letters": held},
    )
    # Powertools' metrics are one set per process: the worker's handler publishes these.
    metrics = Metrics()
    metrics.add_metric(name="DeadLetterMessages", unit=MetricUnit.Count, value=sum(held.values()))
    metrics.add_metric(name="UploadRecordsRemoved", unit=MetricUnit.Count, value=len(removed))
