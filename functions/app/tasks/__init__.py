"""Every task of the application. The worker imports this package, which registers them all."""

from app.tasks import items, notifications, processing, users

__all__ = ["items", "notifications", "processing", "users"]
