"""Who is an administrator now: the user pool's answer, not the token's.

An ID token carries `cognito:groups` as they were when its holder signed in, for the token's
hour, and a password alone is enough to get one. So the API uses admin powers (email anyone,
search everyone's items, read the notification log) only once the stack's own user pool
confirms, on that request, that the caller is an enabled user, still in the `admin` group,
with TOTP MFA turned on. A user with TOTP on is challenged for a code at every sign-in (the
pool remembers no devices): a stolen password alone does not reach admin powers, and a
removed admin loses them at once. Two reads (AdminGetUser, AdminListGroupsForUser), asked only
for callers whose token claims the group.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

#: The Cognito group (template.yaml: AdminGroup) whose members may act for anyone.
ADMIN_GROUP = "admin"
#: The MFA a member must have on: an authenticator app's time-based codes.
TOTP = "SOFTWARE_TOKEN_MFA"
# AdminListGroupsForUser's largest page.
_GROUPS_PER_PAGE = 60


class CognitoClient(Protocol):
    """The two calls of boto3's `cognito-idp` client used here."""

    def admin_get_user(self, **request: Any) -> Any: ...

    def admin_list_groups_for_user(self, **request: Any) -> Any: ...


class AdminCheckUnavailableError(Exception):
    """Raise when the user pool could not answer (throttled, unreachable): nothing is decided."""


@dataclass(frozen=True)
class Standing:
    """What the user pool says of a user now."""

    enabled: bool
    mfa: frozenset[str]
    groups: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return self.enabled and TOTP in self.mfa and ADMIN_GROUP in self.groups


class Administrators:
    """The members of the admin group of one user pool, as the pool says they are now."""

    def __init__(self, pool_id: str, client: Callable[[], CognitoClient]) -> None:
        self.pool_id = pool_id
        self._client = client

    def confirm(self, username: str) -> bool:
        """Whether the user is an administrator now; AdminCheckUnavailableError if the pool
        could not say."""
        standing = self.standing(username)
        return standing is not None and standing.is_admin

    def standing(self, username: str) -> Standing | None:
        """The user's standing (groups read only if the rest allows admin powers); None if the
        pool has no such user (deleted since the token was issued)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            user = self._client().admin_get_user(UserPoolId=self.pool_id, Username=username)
            enabled = bool(user.get("Enabled", False))
            mfa = frozenset(user.get("UserMFASettingList") or ())
            if not (enabled and TOTP in mfa):
                return Standing(enabled, mfa, frozenset())
            return Standing(enabled, mfa, self._groups(username))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "UserNotFoundException":
                return None
            raise AdminCheckUnavailableError(str(exc)) from exc
        except BotoCoreError as exc:
            raise AdminCheckUnavailableError(str(exc)) from exc

    def _groups(self, username: str) -> frozenset[str]:
        request: dict[str, Any] = {
            "UserPoolId": self.pool_id,
            "Username": username,
            "Limit": _GROUPS_PER_PAGE,
        }
        groups: set[str] = set()
        while True:
            page = self._client().admin_list_groups_for_user(**request)
            groups.update(str(group["GroupName"]) for group in page.get("Groups", []))
            if not page.get("NextToken"):
                return frozenset(groups)
            request["NextToken"] = page["NextToken"]
