"""The caller as API Gateway's JWT authorizer describes them: claims read, never a token; admin
powers only when the token claims the group and the user pool confirms it on the request."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import pytest
from botocore.exceptions import ClientError
from fastapi import HTTPException
from starlette.requests import Request

from api.caller import Caller, admin_powers, caller_of, current_caller
from app.admins import Administrators
from tests.cognito import POOL, FakeCognito, PoolUser

ADMIN_CLAIMS = {"sub": "s-ann", "cognito:username": "ann", "cognito:groups": "[admin]"}


def request(claims: dict[str, Any] | None) -> Request:
    context: dict[str, Any] = {"requestId": "r"}
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    scope = {"type": "http", "headers": [], "aws.event": {"requestContext": context}}
    return Request(scope)


def test_claims_as_api_gateway_passes_them_on() -> None:
    caller = caller_of(
        request(
            {
                "sub": "abc",
                "cognito:username": "abc",
                "email": "Ann@Example.com",
                "email_verified": "true",
                "cognito:groups": "[admin staff]",
            }
        )
    )

    assert caller == Caller(
        sub="abc",
        username="abc",
        email="Ann@Example.com",
        email_verified=True,
        groups=frozenset({"admin", "staff"}),
    )
    # The group is a claim until the user pool confirms it
    assert caller.claims_admin
    assert not caller.is_admin


@pytest.mark.parametrize(
    ("value", "groups"),
    [
        (["admin"], {"admin"}),
        ("[admin]", {"admin"}),
        ("admin,staff", {"admin", "staff"}),
        ("[]", set()),
        (None, set()),
        (7, set()),
    ],
)
def test_groups_in_every_shape_a_claim_arrives_in(value: Any, groups: set[str]) -> None:
    caller = caller_of(request({"sub": "s", "cognito:groups": value}))

    assert caller is not None
    assert caller.groups == groups


@pytest.mark.parametrize("verified", [False, "false", "False", None, "yes", 1])
def test_only_a_true_email_verified_claim_verifies(verified: Any) -> None:
    caller = caller_of(request({"sub": "s", "email": "a@example.com", "email_verified": verified}))

    assert caller is not None
    assert caller.verified_email is None
    assert not caller.may_email("a@example.com")


def test_who_may_be_emailed() -> None:
    ann = Caller(sub="a", email="ann@example.com", email_verified=True)
    admin = Caller(
        sub="b",
        email="boss@example.com",
        email_verified=True,
        groups=frozenset({"admin"}),
        admin=True,
    )
    unconfirmed = admin.model_copy(update={"admin": False})

    assert ann.may_email("ANN@example.com")
    assert not ann.may_email("bob@example.com")
    assert admin.may_email("bob@example.com")
    assert not unconfirmed.may_email("bob@example.com")
    assert unconfirmed.may_email("boss@example.com")


def test_who_may_read() -> None:
    ann = Caller(sub="a")
    admin = Caller(sub="b", groups=frozenset({"admin"}), admin=True)
    unconfirmed = admin.model_copy(update={"admin": False})

    assert ann.may_read("a")
    assert not ann.may_read("z")
    assert not ann.may_read(None)
    assert admin.may_read("z")
    assert not unconfirmed.may_read("z")
    assert unconfirmed.may_read("b")


@dataclass(frozen=True)
class Record:
    owner: str | None


def test_another_users_record_is_answered_like_a_missing_one() -> None:
    ann = Caller(sub="a")
    mine, theirs = Record(owner="a"), Record(owner="z")

    assert ann.own(mine, "item") is mine
    for found in (theirs, None):
        with pytest.raises(HTTPException) as refused:
            ann.own(found, "item")
        assert (refused.value.status_code, refused.value.detail) == (404, "No such item")


def caller_with(claims: dict[str, Any]) -> Caller:
    caller = caller_of(request(claims))
    assert caller is not None
    return caller


def test_admin_powers_are_the_pools_confirmation_of_the_claimed_group() -> None:
    cognito = FakeCognito({"ann": PoolUser()})

    assert admin_powers(caller_with(ADMIN_CLAIMS), Administrators(POOL, lambda: cognito))
    assert cognito.calls == ["AdminGetUser", "AdminListGroupsForUser"]


@pytest.mark.parametrize(
    "user",
    [PoolUser(groups=[]), PoolUser(mfa=[]), PoolUser(enabled=False), None],
    ids=["removed", "no-totp", "disabled", "deleted"],
)
def test_a_claimed_admin_the_pool_does_not_confirm_has_no_powers(user: PoolUser | None) -> None:
    cognito = FakeCognito({"ann": user} if user else {})

    assert not admin_powers(caller_with(ADMIN_CLAIMS), Administrators(POOL, lambda: cognito))


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "s-ann", "cognito:username": "ann"},
        {"sub": "s-ann", "cognito:groups": "[admin]"},
    ],
    ids=["no-admin-claim", "no-username"],
)
def test_without_the_claim_and_a_username_the_pool_is_not_asked(claims: dict[str, Any]) -> None:
    cognito = FakeCognito({"ann": PoolUser()})

    assert not admin_powers(caller_with(claims), Administrators(POOL, lambda: cognito))
    assert cognito.calls == []


@pytest.mark.parametrize("groups", ["[admins]", "[sysadmin staff]", "[not-admin]"])
def test_only_the_admin_group_itself_is_a_claim_worth_asking_the_pool(groups: str) -> None:
    # The pool would say yes: a group whose name merely holds "admin" must not get that far
    cognito = FakeCognito({"ann": PoolUser()})
    caller = caller_with({"sub": "s-ann", "cognito:username": "ann", "cognito:groups": groups})

    assert not caller.claims_admin
    assert not admin_powers(caller, Administrators(POOL, lambda: cognito))
    assert cognito.calls == []


def test_without_the_stacks_user_pool_nobody_has_admin_powers() -> None:
    # AuthIssuerUrl names another issuer: there is no pool to confirm anything with
    assert not admin_powers(caller_with(ADMIN_CLAIMS), None)


def confirmed(claims: dict[str, Any], cognito: FakeCognito) -> Caller:
    return asyncio.run(current_caller(request(claims), None, Administrators(POOL, lambda: cognito)))


def test_the_current_caller_carries_the_pools_answer() -> None:
    assert confirmed(ADMIN_CLAIMS, FakeCognito({"ann": PoolUser()})).is_admin
    assert not confirmed(ADMIN_CLAIMS, FakeCognito({"ann": PoolUser(groups=[])})).is_admin


def test_an_ordinary_caller_costs_no_call_to_the_pool() -> None:
    cognito = FakeCognito({"ann": PoolUser()})

    caller = confirmed({"sub": "s-ann", "cognito:username": "ann"}, cognito)

    assert not caller.is_admin
    assert cognito.calls == []


def test_a_pool_that_cannot_answer_is_503_with_retry_after() -> None:
    throttled = ClientError(
        {"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}},
        "AdminGetUser",
    )

    with pytest.raises(HTTPException) as raised:
        confirmed(ADMIN_CLAIMS, FakeCognito({"ann": PoolUser()}, failure=throttled))

    assert raised.value.status_code == 503
    assert raised.value.headers == {"Retry-After": "5"}
    # The raw error stays in the logs
    assert "Rate exceeded" not in str(raised.value.detail)


@pytest.mark.parametrize(
    "claims",
    [None, {}, {"sub": ""}, {"email": "a@example.com"}],
    ids=["no-authorizer", "no-claims", "empty-sub", "no-sub"],
)
def test_no_claims_is_401(claims: dict[str, Any] | None) -> None:
    with pytest.raises(HTTPException) as raised:
        asyncio.run(current_caller(request(claims), None, None))

    assert raised.value.status_code == 401
    assert raised.value.headers == {"WWW-Authenticate": "Bearer"}


def test_an_event_without_request_context_has_no_caller() -> None:
    assert caller_of(Request({"type": "http", "headers": []})) is None
