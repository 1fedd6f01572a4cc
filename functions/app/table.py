"""The application's DynamoDB table: one table, items told apart by their keys.

| entity | pk | sk |
|---|---|---|
| item | ITEM#<id> | ITEM |
| search index entry | WORD#<word> | ITEM#<id> |
| user | USER#<email> | PROFILE |
| dataset summary | DATASET#<id> | SUMMARY |
| uploaded file | FILE#<id> | FILE |
| log entry | LOG#<day> | <time>#<id> |
"""

from __future__ import annotations

from app.settings import get_settings


def table_name() -> str:
    name = get_settings().DATA_TABLE_NAME
    if not name:
        raise RuntimeError("DATA_TABLE_NAME is not set")
    return name
