"""Claims as an HTTP API passes them to the integration: every value a string."""

from __future__ import annotations

from offload_local.gateway.claims import render_claims, token_scopes


def test_claims_are_strings_in_api_gateways_forms() -> None:
    claims = render_claims(
        {
            "sub": "6b6b9b0d",
            "exp": 1796140151,
            "email_verified": True,
            "ratio": 0.5,
            "cognito:groups": ["admin", "editors"],
            "nested": {"city": "Lyon", "zip": 69001},
            "mixed": ["a", 1, True],
            "gone": None,
        }
    )

    assert claims == {
        "sub": "6b6b9b0d",
        "exp": "1796140151",
        "email_verified": "true",
        "ratio": "0.5",
        # Not JSON: Go's bracketed, space-separated form.
        "cognito:groups": "[admin editors]",
        "nested": '{"city":"Lyon","zip":69001}',
        "mixed": "[a 1 true]",
    }


def test_scopes_from_scp_or_scope() -> None:
    assert token_scopes({"scope": "aws.cognito.signin.user.admin openid"}) == [
        "aws.cognito.signin.user.admin",
        "openid",
    ]
    assert token_scopes({"scp": ["read", "write"], "scope": "ignored"}) == ["read", "write"]
    assert token_scopes({"scp": "read write"}) == ["read", "write"]
    assert token_scopes({"scope": " "}) is None
    assert token_scopes({}) is None
