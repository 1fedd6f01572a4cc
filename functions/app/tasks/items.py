"""After an item is created: make it searchable, and tell its creator."""

from __future__ import annotations

from app.email import EmailAddress
from app.email_templates import render
from app.items import Item
from app.wiring import wiring
from offload import PermanentTaskError, task


def _item(item_id: str) -> Item:
    item = wiring().items.get(item_id)
    if item is None:
        # The API writes the item before queueing its tasks, so it cannot appear later.
        raise PermanentTaskError(f"item {item_id} does not exist")
    return item


@task("update_search_index")
def update_search_index(item_id: str) -> None:
    item = _item(item_id)
    wiring().search.index(item.id, item.owner, f"{item.name} {item.description}")


@task("send_item_created_email")
def send_item_created_email(item_id: str, email: EmailAddress) -> None:
    """Tell the item's creator, at their own verified address (the API checked it)."""
    item = _item(item_id)
    # No user text in the subject: a subject is what a spam filter and a reader trust most.
    wiring().mailer.send(
        render(
            "item_created",
            to=email,
            subject="Your item is listed",
            name=item.name,
            description=item.description,
        )
    )
