"""API Gateway's HTTP API JWT authorizer, step by step as its documentation describes it.

1. The token comes from the identity source, alone or prefixed with `Bearer `.
2. It is decoded; its algorithm must be RSA-based, and its signature must verify with the
   issuer's key whose id matches the token's `kid` (keys: jwks.py).
3. Claims: `iss` equals the configured issuer; `aud`, or `client_id` only when there is no
   `aud`, is one of the configured audiences; `exp` is in the future, `nbf` and `iat` in the
   past.
4. A route that asks for scopes needs a token granting at least one of them (`scp` or `scope`).

A failure of 1-3 is a 401 `{"message":"Unauthorized"}` with a `www-authenticate` header saying
why (the troubleshooting guide's example); a missing scope is a 403 `{"message":"Forbidden"}`
(as deployed HTTP APIs answer it). Either way the integration is not invoked. On success the
integration sees requestContext.authorizer.jwt: the claims (claims.py) and, only on routes that
ask for scopes, the token's scopes; otherwise `scopes` is null.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import parse_qsl

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from offload_local.gateway.claims import render_claims, token_scopes
from offload_local.gateway.events import HttpRequest
from offload_local.gateway.issuers import configuration_url
from offload_local.gateway.jwks import IssuerKeys, KeyFetchError
from offload_local.gateway.responses import HttpResponse, error_response
from offload_local.provision.deployment import Deployment, JwtAuthorizer

# "Currently, only RSA-based algorithms are supported."
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_BEARER = "Bearer "


class KeySource(Protocol):
    """Where an authorizer gets its issuer's keys (IssuerKeys, or a fixed set in tests)."""

    def key_set(self) -> KeySet: ...


@dataclass(frozen=True)
class Allowed:
    claims: dict[str, str]
    scopes: list[str] | None

    def context(self) -> dict[str, Any]:
        """requestContext.authorizer of the event."""
        return {"jwt": {"claims": self.claims, "scopes": self.scopes}}


@dataclass(frozen=True)
class Refused:
    status: int
    reason: str
    # RFC 6750's error code for the www-authenticate header; None when no token was given.
    error: str | None = "invalid_token"

    def response(self, route_scopes: Sequence[str]) -> HttpResponse:
        message = "Unauthorized" if self.status == 401 else "Forbidden"
        response = error_response(self.status, message)
        challenge = f'Bearer scope="{" ".join(route_scopes)}"'
        if self.error is not None:
            challenge += f' error="{self.error}" error_description="{self.reason}"'
        response.headers.append(("www-authenticate", challenge))
        return response


class JwtValidator:
    """One JWT authorizer of an API: validates the token of each request to its routes."""

    def __init__(
        self,
        config: JwtAuthorizer,
        keys: KeySource,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self._keys = keys
        self._clock = clock

    def authorize(self, request: HttpRequest, route_scopes: Sequence[str]) -> Allowed | Refused:
        token = identity(self.config.identity_source, request)
        if not token:
            return Refused(401, "no token in the identity source", error=None)
        if token.startswith(_BEARER):
            token = token[len(_BEARER) :].strip()
        try:
            claims = self._verified(token)
        except _Invalid as invalid:
            return Refused(401, str(invalid))
        problem = self._claims_problem(claims)
        if problem is not None:
            return Refused(401, problem)
        granted = token_scopes(claims)
        if route_scopes:
            if not set(granted or ()) & set(route_scopes):
                reason = "the token has none of the route's scopes"
                return Refused(403, reason, "insufficient_scope")
            return Allowed(render_claims(claims), granted)
        return Allowed(render_claims(claims), None)

    def _verified(self, token: str) -> dict[str, Any]:
        header = _header(token)
        algorithm = header.get("alg")
        if algorithm not in RSA_ALGORITHMS:
            raise _Invalid(f"the token's algorithm {algorithm} is not RSA-based")
        try:
            keys = self._keys.key_set()
        except KeyFetchError as exc:
            raise _Invalid(f"the issuer's keys could not be fetched: {exc}") from None
        kid = header.get("kid")
        matching = [key for key in keys.keys if kid is not None and key.kid == kid]
        if not matching:
            raise _Invalid("no key of the issuer matches the token's kid")
        try:
            claims: dict[str, Any] = jwt.decode(token, matching[0], algorithms=[algorithm]).claims
        except (JoseError, ValueError) as exc:
            raise _Invalid(f"the token's signature is invalid ({type(exc).__name__})") from None
        return claims

    def _claims_problem(self, claims: Mapping[str, Any]) -> str | None:
        if claims.get("iss") != self.config.issuer:
            return "the token does not have a valid issuer"
        # "API Gateway validates client_id only if aud is not present."
        audience = claims["aud"] if "aud" in claims else claims.get("client_id")
        offered = audience if isinstance(audience, list) else [audience]
        if not any(isinstance(a, str) and a in self.config.audience for a in offered):
            return "the token does not have a valid audience"
        now = self._clock()
        expires = _number(claims.get("exp"))
        if expires is None or expires <= now:
            return "the token has expired"
        not_before = _number(claims.get("nbf"))
        if "nbf" in claims and (not_before is None or not_before > now):
            return "the token is not valid yet"
        issued = _number(claims.get("iat"))
        if "iat" in claims and (issued is None or issued > now):
            return "the token was issued in the future"
        return None


class _Invalid(Exception):
    pass


def jwt_validators(deployment: Deployment) -> dict[str, dict[str, JwtValidator]]:
    """A validator for each JWT authorizer of each HTTP API, by API logical id and name; an
    issuer whose keys cannot be fetched locally stops here (UnreachableIssuerError)."""
    return {
        api.logical_id: {
            name: JwtValidator(
                authorizer, IssuerKeys(configuration_url(deployment, api, authorizer))
            )
            for name, authorizer in api.authorizers.items()
        }
        for api in deployment.http_apis.values()
    }


def identity(source: str, request: HttpRequest) -> str | None:
    """The identity source's value in the request (repeated values joined with commas, as
    the event's headers and query parameters have them)."""
    kind, _, name = source.removeprefix("$request.").partition(".")
    if kind == "header":
        values = [v for k, v in request.headers if k.lower() == name.lower()]
    elif kind == "querystring":
        query = request.target.partition("?")[2]
        values = [v for k, v in parse_qsl(query, keep_blank_values=True) if k == name]
    else:
        return None
    return ",".join(values) if values else None


def _header(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise _Invalid("the token is not a JWT")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (ValueError, UnicodeDecodeError):
        raise _Invalid("the token's header is not JSON") from None
    if not isinstance(header, dict):
        raise _Invalid("the token's header is not a JSON object")
    return header


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
