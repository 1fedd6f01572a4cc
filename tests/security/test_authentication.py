"""Every route but the health check and the docs needs a valid token, over real HTTP through
the local cloud's gateway (API Gateway's JWT authorizer, emulated): what the authorizer refuses
never reaches the function."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.security.conftest import Stack
from tests.security.http import call

pytestmark = pytest.mark.e2e

PUBLIC = {("get", "/health"), ("get", "/docs"), ("get", "/openapi.json")}
SAMPLE_ID = "0" * 32


def operations(stack: Stack) -> list[tuple[str, str]]:
    """Every operation the OpenAPI document lists, path parameters filled in."""
    _, document, _ = call(f"{stack.api}/openapi.json")
    found = []
    for path, methods in document["paths"].items():
        concrete = re.sub(r"\{email\}", "you@example.com", path)
        concrete = re.sub(r"\{[a-z_]+\}", SAMPLE_ID, concrete)
        found += [(method, concrete) for method in methods]
    return sorted(found)


def test_the_document_lists_every_route(stack: Stack) -> None:
    assert len(operations(stack)) >= 12


def test_without_a_token_every_route_but_the_public_ones_is_401(stack: Stack) -> None:
    answers = {
        (method, path): call(f"{stack.api}{path}", method.upper())[:2]
        for method, path in operations(stack)
        if (method, path) not in PUBLIC
    }

    assert {key: status for key, (status, _) in answers.items()} == dict.fromkeys(answers, 401)
    # API Gateway's own answer, not the function's
    assert {str(body) for _, body in answers.values()} == {"{'message': 'Unauthorized'}"}
    for method, path in sorted(PUBLIC):
        assert call(f"{stack.api}{path}", method.upper())[0] == 200, path


def test_the_docs_assets_are_public_and_nothing_else_under_docs(stack: Stack) -> None:
    # /docs loads Swagger UI from /docs/assets/ (the template's public GET /docs/assets/{proxy+})
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon.png"):
        assert call(f"{stack.api}/docs/assets/{asset}")[0] == 200, asset
    assert call(f"{stack.api}/docs/assets/swagger-ui.css", "POST")[:2] == (
        401,
        {"message": "Unauthorized"},
    )
    assert call(f"{stack.api}/docs/oauth2-redirect")[:2] == (401, {"message": "Unauthorized"})


def forgeries(stack: Stack) -> dict[str, str]:
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    now = int(time.time())
    stranger = RSAKey.generate_key(2048, parameters={"kid": "dummy"})
    valid = stack.forged()
    header, payload, signature = valid.split(".")
    return {
        "expired": stack.forged(iat=now - 7200, exp=now - 3600),
        "not yet valid": stack.forged(nbf=now + 3600),
        "another issuer": stack.forged(iss="https://cognito-idp.us-east-1.amazonaws.com/other"),
        "another audience": stack.forged(aud="some-other-client"),
        "signed by another key": jwt.encode(
            {"alg": "RS256", "kid": "dummy"}, {"sub": "x", "exp": now + 600}, stranger
        ),
        "signature altered": f"{header}.{payload}.{signature[:-4]}AAAA",
        "not a token": "hello",
        "unsigned": f"{header.replace('UlMyNTY', 'bm9uZQ')}.{payload}.",
    }


def test_a_token_the_authorizer_would_refuse_is_401(stack: Stack) -> None:
    # Control: signed with the pool's key and valid, the forge passes; each change breaks it
    assert call(f"{stack.api}/tasks/{SAMPLE_ID}", token=stack.forged())[0] == 404

    answers: dict[str, Any] = {
        name: call(f"{stack.api}/tasks/{SAMPLE_ID}", token=token)[:2]
        for name, token in forgeries(stack).items()
    }

    assert answers == dict.fromkeys(answers, (401, {"message": "Unauthorized"}))


def test_a_token_of_the_pool_is_accepted(stack: Stack) -> None:
    token = stack.token("you@example.com")

    assert call(f"{stack.api}/tasks/{SAMPLE_ID}", token=token)[:2] == (
        404,
        {"detail": "No such task"},
    )
