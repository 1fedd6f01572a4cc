"""The caller as API Gateway's JWT authorizer describes them: claims read, never a token."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from fastapi import HTTPException
from starlette.requests import Request

from api.caller import Caller, caller_of, current_caller


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
                "email": "Ann@Example.com",
                "email_verified": "true",
                "cognito:groups": "[admin staff]",
            }
        )
    )

    assert caller == Caller(
        sub="abc",
        email="Ann@Example.com",
        email_verified=True,
        groups=frozenset({"admin", "staff"}),
    )
    assert caller.is_admin


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
        sub="b", email="boss@example.com", email_verified=True, groups=frozenset({"admin"})
    )

    assert ann.may_email("ANN@example.com")
    assert not ann.may_email("bob@example.com")
    assert admin.may_email("bob@example.com")


def test_who_may_read() -> None:
    ann = Caller(sub="a")
    admin = Caller(sub="b", groups=frozenset({"admin"}))

    assert ann.may_read("a")
    assert not ann.may_read("z")
    assert not ann.may_read(None)
    assert admin.may_read("z")


@pytest.mark.parametrize(
    "claims",
    [None, {}, {"sub": ""}, {"email": "a@example.com"}],
    ids=["no-authorizer", "no-claims", "empty-sub", "no-sub"],
)
def test_no_claims_is_401(claims: dict[str, Any] | None) -> None:
    with pytest.raises(HTTPException) as raised:
        asyncio.run(current_caller(request(claims), None))

    assert raised.value.status_code == 401
    assert raised.value.headers == {"WWW-Authenticate": "Bearer"}


def test_an_event_without_request_context_has_no_caller() -> None:
    assert caller_of(Request({"type": "http", "headers": []})) is None
