"""Users, one per email address: registering the same address twice is a conflict."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from app import aws
from app.email import EmailAddress
from app.table import table_name


class UserCreate(BaseModel):
    email: EmailAddress
    name: str = Field(min_length=1, max_length=100)


class User(UserCreate):
    created_at: datetime


class EmailTakenError(Exception):
    """Raise when an address is already registered."""


class UserStore:
    def __init__(self, table: str | None = None) -> None:
        self._table = table or table_name()

    def create(self, data: UserCreate) -> User:
        from botocore.exceptions import ClientError

        user = User(created_at=datetime.now(UTC), **data.model_dump())
        try:
            aws.dynamodb().put_item(
                TableName=self._table,
                Item={
                    "pk": {"S": f"USER#{user.email}"},
                    "sk": {"S": "PROFILE"},
                    "email": {"S": user.email},
                    "name": {"S": user.name},
                    "created_at": {"S": user.created_at.isoformat()},
                },
                # Uniqueness is the table's job: two concurrent registrations cannot both win.
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise EmailTakenError(user.email) from None
            raise
        return user

    def delete(self, user: User) -> None:
        """Remove this registration, and only this one: a later one of the same address (made
        after this was removed) has another created_at and stays."""
        from botocore.exceptions import ClientError

        try:
            aws.dynamodb().delete_item(
                TableName=self._table,
                Key={"pk": {"S": f"USER#{user.email}"}, "sk": {"S": "PROFILE"}},
                ConditionExpression="created_at = :created",
                ExpressionAttributeValues={":created": {"S": user.created_at.isoformat()}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
