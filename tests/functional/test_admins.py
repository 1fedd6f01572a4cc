"""Admin powers through the API handler, with the stack's user pool in moto: a token that names
the admin group is not enough. The pool must confirm, on the request, a member who is enabled
and has TOTP MFA on; one removed, disabled or deleted loses the powers at once, with the same
still-valid token."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from api.handler import handler
from app import clients
from tests.conftest import load_event, make_context
from tests.functional.conftest import ALICE, BOB, Cloud, User, captured, reset_caches


def admin_powers(cloud: Cloud, user: User) -> dict[str, int]:
    """What each admin power answers the user: the log, another's address, another's item,
    and how many of another's items their search finds."""
    _, bob = cloud.call_api("POST", "/items", {"name": "bob teapot"}, as_user=BOB)
    cloud.run_worker()  # indexes the item
    _, found = cloud.call_api("GET", "/search", query="q=teapot", as_user=user)
    return {
        "search everyone's": len(found["items"]),
        "logs": cloud.call_api("GET", "/logs", as_user=user)[0],
        "email another": cloud.call_api("POST", "/send-notification/bob@example.com", as_user=user)[
            0
        ],
        "read another's item": cloud.call_api("GET", f"/items/{bob['item']['id']}", as_user=user)[
            0
        ],
    }


GRANTED = {"search everyone's": 1, "logs": 200, "email another": 202, "read another's item": 200}
REFUSED = {"search everyone's": 0, "logs": 403, "email another": 403, "read another's item": 404}


def cognito(cloud: Cloud) -> Any:
    return cloud.deployment.aws.client("cognito-idp")


def test_a_member_with_totp_has_admin_powers(cloud: Cloud, admin: User) -> None:
    assert admin_powers(cloud, admin) == GRANTED


def test_a_member_without_mfa_has_no_admin_powers(cloud: Cloud) -> None:
    # Given a user in the admin group who never turned TOTP on (their token names the group)
    pool = cloud.user_pool()
    member = cloud.pool_user("no-mfa@example.com")
    cognito(cloud).admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username=member.email, GroupName="admin"
    )
    claimed = User(sub=member.sub, email=member.email, admin=True)

    # Then the API refuses every admin power
    assert admin_powers(cloud, claimed) == REFUSED


def test_a_member_removed_from_the_group_loses_admin_powers_at_once(cloud: Cloud) -> None:
    # Given an admin whose token names the group
    removed = cloud.pool_user("removed@example.com", admin=True)
    pool = cloud.user_pool()
    assert cloud.call_api("GET", "/logs", as_user=removed)[0] == 200

    # When an operator removes them from the group (their token is still valid for an hour)
    cognito(cloud).admin_remove_user_from_group(
        UserPoolId=pool.pool_id, Username=removed.email, GroupName="admin"
    )

    # Then the same claims have no admin power on the very next request
    assert admin_powers(cloud, removed) == REFUSED


def test_a_disabled_or_deleted_admin_loses_admin_powers_at_once(cloud: Cloud) -> None:
    pool = cloud.user_pool()
    disabled = cloud.pool_user("disabled@example.com", admin=True)
    deleted = cloud.pool_user("deleted@example.com", admin=True)

    cognito(cloud).admin_disable_user(UserPoolId=pool.pool_id, Username=disabled.email)
    cognito(cloud).admin_delete_user(UserPoolId=pool.pool_id, Username=deleted.email)

    try:
        assert admin_powers(cloud, disabled) == REFUSED
        assert admin_powers(cloud, deleted) == REFUSED
    finally:
        cognito(cloud).admin_enable_user(UserPoolId=pool.pool_id, Username=disabled.email)


def test_the_sample_event_of_an_admin_the_pool_does_not_know_is_refused(cloud: Cloud) -> None:
    # events/list_logs.json: claims naming the admin group, of a user the stack's pool has not
    response = handler(load_event("list_logs"), make_context())

    assert response["statusCode"] == 403


def test_a_token_of_an_ordinary_user_costs_no_call_to_the_pool(cloud: Cloud) -> None:
    reads = captured(clients.cognito_idp(), "AdminGetUser")

    assert cloud.call_api("GET", "/search", query="q=teapot")[0] == 200
    assert cloud.call_api("GET", "/logs")[0] == 403

    assert reads == []


def test_with_another_issuer_nobody_has_admin_powers(
    cloud: Cloud, admin: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # AuthIssuerUrl names another issuer: the template gives the API no pool to ask
    monkeypatch.delenv("USER_POOL_ID")
    reset_caches()

    assert admin_powers(cloud, admin) == REFUSED


@contextmanager
def pool_throttling(client: Any) -> Iterator[None]:
    """While inside, AdminGetUser through the app's client is refused as a busy pool does."""

    def refuse(**_: Any) -> None:
        raise ClientError(
            {"Error": {"Code": "TooManyRequestsException", "Message": "Rate exceeded"}},
            "AdminGetUser",
        )

    event = "before-call.cognito-identity-provider.AdminGetUser"
    client.meta.events.register(event, refuse)
    try:
        yield
    finally:
        client.meta.events.unregister(event, refuse)


def test_when_the_pool_cannot_confirm_an_admin_the_request_is_503_and_does_nothing(
    cloud: Cloud, admin: User
) -> None:
    with pool_throttling(clients.cognito_idp()):
        response = cloud.api_response("POST", "/send-notification/bob@example.com", as_user=admin)
        ordinary = cloud.call_api("POST", "/send-notification/you@example.com", as_user=ALICE)

    assert response["statusCode"] == 503
    assert response["headers"]["retry-after"] == "5"
    assert "Rate exceeded" not in response["body"]
    # Nothing was queued for the admin; an ordinary caller was not held up
    assert ordinary[0] == 202
    queued = [m["Body"] for m in cloud.receive(cloud.task_queue_url)]
    assert not any("bob@example.com" in body for body in queued)
