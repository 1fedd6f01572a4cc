"""Every task of the application. The worker imports this package, which registers them all."""

from app.tasks import notifications

__all__ = ["notifications"]
