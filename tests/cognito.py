"""A stand-in for the two reads of Cognito's API the admin check makes (app/admins.py), over a
dict of users, for unit tests; the functional tests use moto's Cognito."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

POOL = "us-east-1_Pool"


@dataclass
class PoolUser:
    groups: list[str] = field(default_factory=lambda: ["admin"])
    mfa: list[str] = field(default_factory=lambda: ["SOFTWARE_TOKEN_MFA"])
    enabled: bool = True


@dataclass
class FakeCognito:
    """The two calls of Cognito's API the check makes, over a dict of users; `failure` is
    raised by every call instead."""

    users: dict[str, PoolUser] = field(default_factory=dict)
    failure: Exception | None = None
    page_size: int = 60
    calls: list[str] = field(default_factory=list)

    def admin_get_user(self, **request: Any) -> Any:
        user = self._user("AdminGetUser", request)
        return {
            "Username": request["Username"],
            "Enabled": user.enabled,
            "UserMFASettingList": user.mfa,
        }

    def admin_list_groups_for_user(self, **request: Any) -> Any:
        user = self._user("AdminListGroupsForUser", request)
        assert request["Limit"] <= 60
        start = int(request.get("NextToken", 0))
        page: dict[str, Any] = {
            "Groups": [{"GroupName": g} for g in user.groups[start : start + self.page_size]]
        }
        if start + self.page_size < len(user.groups):
            page["NextToken"] = str(start + self.page_size)
        return page

    def _user(self, operation: str, request: dict[str, Any]) -> PoolUser:
        self.calls.append(operation)
        assert request["UserPoolId"] == POOL
        if self.failure is not None:
            raise self.failure
        if request["Username"] not in self.users:
            raise ClientError(
                {"Error": {"Code": "UserNotFoundException", "Message": "User does not exist."}},
                operation,
            )
        return self.users[request["Username"]]
