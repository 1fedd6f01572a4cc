"""Lambda entry point of the worker functions: SQS batches of tasks. Wiring only."""

from __future__ import annotations

from app.background import background
from app.wiring import worker_readers

# The application's own loggers (its tasks') log as offload's do: JSON, with the task's id.
handler = background.lambda_handler(readers=worker_readers, loggers=("app",))
