"""The local cloud's admins against moto's Cognito: in a pool that offers TOTP, an admin is in
the group with TOTP on, as the API requires, and signs in answering the code challenge, from
this process or from another (an earlier `token` command) that holds no secret."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.identity.users import UserPool


def make_pool(aws: AwsEndpoint, *, totp: bool) -> UserPool:
    """A pool shaped like template.yaml's: email usernames, TOTP on offer if asked."""
    cognito = aws.client("cognito-idp")
    pool = cognito.create_user_pool(PoolName="users", UsernameAttributes=["email"])["UserPool"]
    if totp:
        cognito.set_user_pool_mfa_config(
            UserPoolId=pool["Id"],
            MfaConfiguration="OPTIONAL",
            SoftwareTokenMfaConfiguration={"Enabled": True},
        )
    client = cognito.create_user_pool_client(
        UserPoolId=pool["Id"],
        ClientName="app",
        ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cognito.create_group(UserPoolId=pool["Id"], GroupName="admin")
    return UserPool(aws, pool["Id"], client["ClientId"], "admin")


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * 4))
    return decoded


def mfa_of(pool: UserPool, username: str) -> list[str]:
    user = pool.aws.client("cognito-idp").admin_get_user(UserPoolId=pool.pool_id, Username=username)
    return list(user["UserMFASettingList"])


def challenge_of_a_password_sign_in(pool: UserPool, username: str) -> str | None:
    cognito = pool.aws.client("cognito-idp")
    cognito.admin_set_user_password(
        UserPoolId=pool.pool_id, Username=username, Password="Aa1!aaaaaaaaaaaa", Permanent=True
    )
    result = cognito.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Aa1!aaaaaaaaaaaa"},
    )
    challenge: str | None = result.get("ChallengeName")
    return challenge


@pytest.fixture
def pool(aws: AwsEndpoint) -> UserPool:
    return make_pool(aws, totp=True)


def test_an_admin_has_totp_on_and_a_password_alone_is_challenged(pool: UserPool) -> None:
    token = pool.id_token("Boss@Example.com", admin=True)

    assert claims(token)["cognito:groups"] == ["admin"]
    assert claims(token)["email"] == "boss@example.com"
    assert mfa_of(pool, "boss@example.com") == ["SOFTWARE_TOKEN_MFA"]
    assert challenge_of_a_password_sign_in(pool, "boss@example.com") == "SOFTWARE_TOKEN_MFA"


def test_an_admin_enrolled_by_another_process_still_gets_a_token(pool: UserPool) -> None:
    pool.id_token("boss@example.com", admin=True)
    # Another process (`offload-local token`): the same pool, no secret
    elsewhere = UserPool(pool.aws, pool.pool_id, pool.client_id, pool.admin_group)

    admin_token = elsewhere.id_token("boss@example.com", admin=True)
    # Without --admin too: the member still has TOTP on and is challenged
    plain_token = UserPool(pool.aws, pool.pool_id, pool.client_id).id_token("boss@example.com")

    assert claims(admin_token)["cognito:groups"] == ["admin"]
    assert claims(plain_token)["cognito:groups"] == ["admin"]
    assert mfa_of(pool, "boss@example.com") == ["SOFTWARE_TOKEN_MFA"]


def test_a_user_who_is_no_admin_has_no_mfa_to_answer(pool: UserPool) -> None:
    token = pool.id_token("you@example.com")

    assert "cognito:groups" not in claims(token)
    assert mfa_of(pool, "you@example.com") == []


def test_in_a_pool_without_totp_an_admin_is_a_member_only(aws: AwsEndpoint) -> None:
    pool = make_pool(aws, totp=False)

    token = pool.id_token("boss@example.com", admin=True)

    assert claims(token)["cognito:groups"] == ["admin"]
    assert mfa_of(pool, "boss@example.com") == []
