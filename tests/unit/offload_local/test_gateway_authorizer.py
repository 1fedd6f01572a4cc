"""The JWT authorizer of an HTTP API, step by step as API Gateway documents it."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from offload_local.gateway.authorizer import Allowed, JwtValidator, Refused
from offload_local.gateway.events import HttpRequest
from offload_local.gateway.jwks import KeyFetchError
from offload_local.provision.deployment import JwtAuthorizer

ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_pool"
CLIENT = "client-1"
NOW = 1_800_000_000


@pytest.fixture(scope="module")
def key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


@pytest.fixture(scope="module")
def other_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": "k1"})


class Keys:
    """The issuer's published key set (public keys only), or an outage."""

    def __init__(self, *keys: RSAKey, down: bool = False) -> None:
        self._set = KeySet.import_key_set(KeySet(list(keys)).as_dict(private=False))
        self._down = down

    def key_set(self) -> KeySet:
        if self._down:
            raise KeyFetchError("connection refused")
        return self._set


def claims(**overrides: Any) -> dict[str, Any]:
    base = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "6b6b9b0d",
        "token_use": "id",
        "iat": NOW - 10,
        "exp": NOW + 3600,
        "email": "you@example.com",
        "email_verified": "true",
        "cognito:groups": ["admin"],
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(key: Any, payload: dict[str, Any], **header: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": "k1", **header}, payload, key)


def validator(*keys: RSAKey, down: bool = False) -> JwtValidator:
    config = JwtAuthorizer("UserAuthorizer", ISSUER, (CLIENT,))
    return JwtValidator(config, Keys(*keys, down=down), clock=lambda: NOW)


def request(authorization: str | None = None, target: str = "/items") -> HttpRequest:
    headers = [("Host", "127.0.0.1")]
    if authorization is not None:
        headers.append(("Authorization", authorization))
    return HttpRequest(method="GET", target=target, headers=headers)


def refusal(decision: Allowed | Refused) -> tuple[int, str]:
    assert isinstance(decision, Refused), decision
    return decision.status, decision.reason


@pytest.mark.parametrize("prefix", ["Bearer ", ""])
def test_a_valid_token_passes_its_claims_as_strings(key: RSAKey, prefix: str) -> None:
    token = sign(key, claims())

    decision = validator(key).authorize(request(prefix + token), ())

    assert isinstance(decision, Allowed)
    assert decision.context() == {
        "jwt": {
            "claims": {
                "iss": ISSUER,
                "aud": CLIENT,
                "sub": "6b6b9b0d",
                "token_use": "id",
                "iat": str(NOW - 10),
                "exp": str(NOW + 3600),
                "email": "you@example.com",
                "email_verified": "true",
                "cognito:groups": "[admin]",
            },
            # The route asks for no scopes.
            "scopes": None,
        }
    }


def test_an_access_token_is_checked_by_client_id_when_it_has_no_aud(key: RSAKey) -> None:
    access = sign(key, claims(aud=None, client_id=CLIENT, scope="openid profile"))
    other_client = sign(key, claims(aud=None, client_id="someone-else"))
    # "When both aud and client_id are present, API Gateway evaluates aud."
    wrong_aud = sign(key, claims(aud="someone-else", client_id=CLIENT))

    assert isinstance(validator(key).authorize(request(f"Bearer {access}"), ()), Allowed)
    assert refusal(validator(key).authorize(request(f"Bearer {other_client}"), ())) == (
        401,
        "the token does not have a valid audience",
    )
    assert refusal(validator(key).authorize(request(f"Bearer {wrong_aud}"), ()))[0] == 401


def test_an_aud_list_needs_one_configured_audience(key: RSAKey) -> None:
    token = sign(key, claims(aud=["elsewhere", CLIENT]))

    assert isinstance(validator(key).authorize(request(token), ()), Allowed)


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (claims(iss="https://cognito-idp.us-east-1.amazonaws.com/other"), "valid issuer"),
        (claims(aud="another-client"), "valid audience"),
        (claims(exp=NOW), "has expired"),
        (claims(exp=None), "has expired"),
        (claims(exp="tomorrow"), "has expired"),
        (claims(nbf=NOW + 60), "not valid yet"),
        (claims(iat=NOW + 60), "issued in the future"),
    ],
)
def test_claims_that_fail_are_401(key: RSAKey, payload: dict[str, Any], reason: str) -> None:
    status, why = refusal(validator(key).authorize(request(f"Bearer {sign(key, payload)}"), ()))

    assert status == 401
    assert reason in why


@pytest.mark.parametrize(
    "issuer",
    [
        ISSUER + "0",
        ISSUER + "/",
        ISSUER + ".attacker.example/pool",
        ISSUER[:-1],
        ISSUER.upper(),
    ],
    ids=["longer", "trailing-slash", "another-host", "shorter", "other-case"],
)
def test_the_issuer_must_be_the_configured_one_exactly(key: RSAKey, issuer: str) -> None:
    token = sign(key, claims(iss=issuer))

    decision = validator(key).authorize(request(f"Bearer {token}"), ())

    assert refusal(decision) == (401, "the token does not have a valid issuer")


def test_nbf_and_iat_in_the_past_pass(key: RSAKey) -> None:
    token = sign(key, claims(nbf=NOW - 1, iat=NOW))

    assert isinstance(validator(key).authorize(request(token), ()), Allowed)


def test_tokens_that_cannot_be_trusted_are_401(key: RSAKey, other_key: RSAKey) -> None:
    good = claims()
    cases = {
        "no token": None,
        "not a JWT": "Bearer not-a-jwt",
        "another key, same kid": "Bearer " + sign(other_key, good),
        "unknown kid": "Bearer " + sign(key, good, kid="k2"),
        "no kid": "Bearer " + jwt.encode({"alg": "RS256"}, good, key),
        "HMAC": "Bearer " + jwt.encode({"alg": "HS256", "kid": "k1"}, good, OctKey.generate_key()),
        "tampered": "Bearer " + _tampered(sign(key, good)),
    }

    results = {name: refusal(validator(key).authorize(request(v), ())) for name, v in cases.items()}

    assert {status for status, _ in results.values()} == {401}
    assert "no token" in results["no token"][1]
    assert "signature is invalid" in results["another key, same kid"][1]
    assert "kid" in results["unknown kid"][1]
    assert "kid" in results["no kid"][1]
    assert "not RSA-based" in results["HMAC"][1]


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    return ".".join([header, payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB"), signature])


def test_keys_that_cannot_be_fetched_refuse_rather_than_trust(key: RSAKey) -> None:
    decision = validator(key, down=True).authorize(request(sign(key, claims())), ())

    assert refusal(decision) == (401, "the issuer's keys could not be fetched: connection refused")


def test_route_scopes_need_one_granted_scope_else_403(key: RSAKey) -> None:
    granted = sign(key, claims(scope="items/read items/write"))
    none = sign(key, claims())

    allowed = validator(key).authorize(request(granted), ("items/write", "admin"))
    refused = validator(key).authorize(request(none), ("items/write",))

    assert isinstance(allowed, Allowed)
    # The token's scopes, all of them, on a route that asks for scopes.
    assert allowed.scopes == ["items/read", "items/write"]
    assert refusal(refused)[0] == 403
    assert isinstance(refused, Refused)
    response = refused.response(("items/write",))
    assert response.body == b'{"message": "Forbidden"}'
    assert (
        "www-authenticate",
        'Bearer scope="items/write" error="insufficient_scope" '
        'error_description="the token has none of the route\'s scopes"',
    ) in response.headers


def test_a_401_says_why_in_www_authenticate() -> None:
    response = Refused(401, "the token has expired").response(())

    assert response.status == 401
    assert response.body == b'{"message": "Unauthorized"}'
    assert response.headers[-1] == (
        "www-authenticate",
        'Bearer scope="" error="invalid_token" error_description="the token has expired"',
    )


def test_the_token_may_come_from_the_query_string(key: RSAKey) -> None:
    config = JwtAuthorizer("Q", ISSUER, (CLIENT,), "$request.querystring.token")
    token = sign(key, claims())

    decision = JwtValidator(config, Keys(key), clock=lambda: NOW).authorize(
        request(target=f"/items?token={token}"), ()
    )

    assert isinstance(decision, Allowed)
