"""Registration: one account profile per authenticated user, then a welcome email.

The profile is keyed by the caller's `sub`, not by an address: registering twice is a conflict
the caller can only ever learn about their own account.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from app.table import ConditionFailedError, values_of

if TYPE_CHECKING:
    from app.table import Table


class UserCreate(BaseModel):
    # A field the API does not take (an address to send to, say) is a mistake worth a 422.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class User(UserCreate):
    model_config = ConfigDict(extra="ignore")

    email: str
    created_at: datetime


class AlreadyRegisteredError(Exception):
    """Raise when the caller already has a profile."""


def key(sub: str) -> dict[str, str]:
    return {"pk": f"USER#{sub}", "sk": "PROFILE"}


class UserStore:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create(self, sub: str, email: str, data: UserCreate) -> User:
        user = User(created_at=datetime.now(UTC), email=email, **data.model_dump())
        try:
            # Uniqueness is the table's job: two concurrent registrations cannot both win.
            self._table.put(key(sub) | values_of(user), condition="attribute_not_exists(pk)")
        except ConditionFailedError:
            raise AlreadyRegisteredError(sub) from None
        return user

    def delete(self, sub: str, user: User) -> None:
        """Remove this registration, and only this one: a later one (made after this was
        removed) has another created_at and stays."""
        try:
            self._table.delete(
                key(sub),
                condition="created_at = :created",
                expression_values={":created": values_of(user)["created_at"]},
            )
        except ConditionFailedError:
            return
