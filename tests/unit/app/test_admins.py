"""Who is an administrator now, as the user pool says: a member of the admin group, enabled,
with TOTP MFA on; anything else, or no such user, is not. A pool that cannot answer decides
nothing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from app.admins import AdminCheckUnavailableError, Administrators, Standing
from tests.cognito import POOL, FakeCognito, PoolUser


def administrators(cognito: FakeCognito) -> Administrators:
    return Administrators(POOL, lambda: cognito)


def test_an_enabled_member_with_totp_is_an_administrator() -> None:
    cognito = FakeCognito({"ann": PoolUser(groups=["staff", "admin"])})

    assert administrators(cognito).confirm("ann")
    assert administrators(cognito).standing("ann") == Standing(
        enabled=True, mfa=frozenset({"SOFTWARE_TOKEN_MFA"}), groups=frozenset({"staff", "admin"})
    )


@pytest.mark.parametrize(
    "user",
    [
        PoolUser(groups=["staff"]),
        PoolUser(mfa=[]),
        PoolUser(mfa=["SMS_MFA"]),
        PoolUser(enabled=False),
    ],
    ids=["removed-from-the-group", "no-mfa", "sms-not-totp", "disabled"],
)
def test_each_missing_condition_withholds_admin_powers(user: PoolUser) -> None:
    assert not administrators(FakeCognito({"ann": user})).confirm("ann")


@pytest.mark.parametrize("group", ["admins", "sysadmin", "not-admin"])
def test_only_the_admin_group_itself_makes_an_administrator(group: str) -> None:
    # A group whose name holds the admin group's is another group
    cognito = FakeCognito({"ann": PoolUser(groups=["staff", group])})

    assert not administrators(cognito).confirm("ann")


def test_a_user_the_pool_no_longer_has_is_no_administrator() -> None:
    cognito = FakeCognito({})

    assert administrators(cognito).standing("gone") is None
    assert not administrators(cognito).confirm("gone")


def test_membership_is_read_across_pages() -> None:
    cognito = FakeCognito({"ann": PoolUser(groups=[f"g{i}" for i in range(5)] + ["admin"])})
    cognito.page_size = 2

    assert administrators(cognito).confirm("ann")
    assert cognito.calls.count("AdminListGroupsForUser") == 3


def test_the_groups_are_not_read_for_a_user_who_could_not_be_an_admin_anyway() -> None:
    cognito = FakeCognito({"ann": PoolUser(mfa=[])})

    assert not administrators(cognito).confirm("ann")
    assert cognito.calls == ["AdminGetUser"]


@pytest.mark.parametrize(
    "failure",
    [
        ClientError(
            {"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}},
            "AdminGetUser",
        ),
        ClientError(
            {"Error": {"Code": "AccessDeniedException", "Message": "not authorized"}},
            "AdminGetUser",
        ),
        EndpointConnectionError(endpoint_url="https://cognito-idp.us-east-1.amazonaws.com/"),
    ],
    ids=["throttled", "not-allowed", "unreachable"],
)
def test_a_pool_that_cannot_answer_decides_nothing(failure: Exception) -> None:
    cognito = FakeCognito({"ann": PoolUser()}, failure=failure)

    with pytest.raises(AdminCheckUnavailableError):
        administrators(cognito).confirm("ann")
