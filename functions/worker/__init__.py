"""The worker Lambda: runs queued tasks."""
