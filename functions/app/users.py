"""Registration: one account profile per authenticated user, then a welcome email.

The profile is keyed by the caller's `sub`, not by an address: registering twice is a conflict
the caller can only ever learn about their own account.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field

from app import aws
from app.table import table_name


class UserCreate(BaseModel):
    # A field the API does not take (an address to send to, say) is a mistake worth a 422.
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100)


class User(UserCreate):
    email: str
    created_at: datetime


class AlreadyRegisteredError(Exception):
    """Raise when the caller already has a profile."""


def _key(sub: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"USER#{sub}"}, "sk": {"S": "PROFILE"}}


class UserStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def create(self, sub: str, email: str, data: UserCreate) -> User:
        from botocore.exceptions import ClientError

        user = User(created_at=datetime.now(UTC), email=email, **data.model_dump())
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item=_key(sub)
                | {
                    "email": {"S": user.email},
                    "name": {"S": user.name},
                    "created_at": {"S": user.created_at.isoformat()},
                },
                # Uniqueness is the table's job: two concurrent registrations cannot both win.
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise AlreadyRegisteredError(sub) from None
            raise
        return user

    def delete(self, sub: str, user: User) -> None:
        """Remove this registration, and only this one: a later one (made after this was
        removed) has another created_at and stays."""
        from botocore.exceptions import ClientError

        try:
            aws.dynamodb().delete_item(
                TableName=self._table,
                Key=_key(sub),
                ConditionExpression="created_at = :created",
                ExpressionAttributeValues={":created": {"S": user.created_at.isoformat()}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
