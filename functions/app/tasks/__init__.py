"""Every task of the application. The worker imports this package, which registers them all."""

from app.tasks import datasets, items, maintenance, notifications, uploads, users

__all__ = ["datasets", "items", "maintenance", "notifications", "uploads", "users"]
