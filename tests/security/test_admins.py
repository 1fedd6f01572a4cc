"""Admin powers are one password plus one authenticator away, and end when an operator says so,
over real HTTP through the local cloud: the API asks the user pool on each request, so a token
that names the admin group is not enough for a member without TOTP MFA, nor for one removed
from the group while their token is still valid."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest

from offload_local.identity.users import UserPool
from tests.security.conftest import Stack
from tests.security.http import call

pytestmark = pytest.mark.e2e


def address(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


def pool_of(stack: Stack) -> UserPool:
    pool = stack.cloud.user_pool
    assert pool is not None
    return pool


def powers(stack: Stack, token: str) -> tuple[int, int]:
    """What the notification log and an email to another address answer the token."""
    logs = call(f"{stack.api}/logs", token=token)[0]
    email = call(f"{stack.api}/send-notification/{address('other')}", "POST", token=token)[0]
    return logs, email


def test_a_removed_admins_still_valid_token_reads_no_log_and_emails_nobody_else(
    stack: Stack,
) -> None:
    # Given an admin (group member, TOTP on) and their token, which they use
    admin = address("admin")
    token = stack.token(admin, admin=True)
    assert claims(token)["cognito:groups"] == ["admin"]
    assert powers(stack, token) == (200, 202)

    # When an operator removes them from the group, within the token's hour
    pool = pool_of(stack)
    stack.cloud.deployment.aws.client("cognito-idp").admin_remove_user_from_group(
        UserPoolId=pool.pool_id, Username=admin, GroupName="admin"
    )

    # Then the same token no longer reads the log nor emails another address
    assert powers(stack, token) == (403, 403)


def test_a_member_without_mfa_has_a_token_naming_the_group_and_no_admin_powers(
    stack: Stack,
) -> None:
    # Given a user put in the group who never turned TOTP on: their password alone signs in
    member = address("member")
    pool = pool_of(stack)
    pool.ensure_user(member)
    stack.cloud.deployment.aws.client("cognito-idp").admin_add_user_to_group(
        UserPoolId=pool.pool_id, Username=member, GroupName="admin"
    )
    token = stack.token(member)

    # Then the token names the group, and the API refuses the powers all the same
    assert claims(token)["cognito:groups"] == ["admin"]
    assert powers(stack, token) == (403, 403)
