"""Who is calling: the claims API Gateway's JWT authorizer validated, read from the Lambda event.

On AWS the API never checks a token itself. API Gateway's authorizer has verified the signature,
issuer, audience and expiry before the function is invoked, and passes the token's claims in
`requestContext.authorizer.jwt.claims`; Mangum keeps the event in the ASGI scope (`aws.event`).
A request that arrives without claims reached a route the template left public, or came another
way: either way it is refused here too.

The token's `cognito:groups` are only a claim: a caller whose token names the admin group has
admin powers on a request only once the stack's user pool confirms it then (app/admins.py:
still a member, enabled, TOTP MFA on). When the API trusts another issuer there is no pool to
ask, and nobody has admin powers.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, HTTPException, Request, Security, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from app import clients
from app.admins import ADMIN_GROUP, AdminCheckUnavailableError, Administrators
from app.settings import get_settings

logger = logging.getLogger(__name__)

#: Seconds a client waits before asking again when the pool could not confirm an admin.
ADMIN_CHECK_RETRY_AFTER = 5

# Documents the scheme in the OpenAPI document (and gives /docs its Authorize button); the
# header itself is API Gateway's business.
_bearer = HTTPBearer(
    auto_error=False,
    description=("An ID token of the stack's user pool (locally: `offload-local token EMAIL`)."),
)


class Owned(Protocol):
    """A record that belongs to a user: a task, a file, a dataset, an item."""

    @property
    def owner(self) -> str | None: ...


OwnedT = TypeVar("OwnedT", bound=Owned)


class Caller(BaseModel):
    """The authenticated caller, as the token's claims describe them, and whether the user
    pool confirmed their admin powers for this request."""

    model_config = ConfigDict(frozen=True)

    sub: str
    #: The user pool's name for them (`cognito:username`), which its admin calls take.
    username: str | None = None
    email: str | None = None
    email_verified: bool = False
    #: As the token claims them, when it was issued: no power by themselves.
    groups: frozenset[str] = frozenset()
    #: The user pool confirmed, on this request, that the caller is an administrator.
    admin: bool = False

    @property
    def claims_admin(self) -> bool:
        """The token names the admin group: worth asking the user pool, nothing more."""
        return ADMIN_GROUP in self.groups

    @property
    def is_admin(self) -> bool:
        return self.admin

    @property
    def verified_email(self) -> str | None:
        """The caller's address, if the identity provider has verified it."""
        return self.email if self.email and self.email_verified else None

    def may_email(self, address: str) -> bool:
        """Admins may write to anyone; everyone else only to their own verified address."""
        own = self.verified_email
        return self.is_admin or (own is not None and own.casefold() == address.casefold())

    def may_read(self, owner: str | None) -> bool:
        """A resource is its owner's (and an admin's); one without an owner is nobody's."""
        return self.is_admin or (owner is not None and owner == self.sub)

    def own(self, found: OwnedT | None, what: str) -> OwnedT:
        """`found` if the caller may read it; else 404 "No such <what>". Another user's record
        is answered like one that does not exist: ids are not to be probed."""
        if found is None or not self.may_read(found.owner):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"No such {what}")
        return found


def claims_of(request: Request) -> dict[str, Any] | None:
    event = request.scope.get("aws.event")
    if not isinstance(event, dict):
        return None
    authorizer = (event.get("requestContext") or {}).get("authorizer") or {}
    claims = (authorizer.get("jwt") or {}).get("claims")
    return claims if isinstance(claims, dict) and claims.get("sub") else None


def caller_of(request: Request) -> Caller | None:
    claims = claims_of(request)
    if claims is None:
        return None
    email = claims.get("email")
    username = claims.get("cognito:username")
    return Caller(
        sub=str(claims["sub"]),
        username=str(username) if username else None,
        email=str(email) if email else None,
        email_verified=_true(claims.get("email_verified")),
        groups=_groups(claims.get("cognito:groups")),
    )


def owner_of(request: Request) -> str | None:
    """The `sub` that owns what a request creates (its tasks included)."""
    caller = caller_of(request)
    return caller.sub if caller is not None else None


def _true(value: Any) -> bool:
    # Cognito's claim is a JSON boolean; API Gateway passes every claim on as a string.
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _groups(value: Any) -> frozenset[str]:
    """cognito:groups as a list, or as API Gateway flattens an array claim: "[admin staff]"."""
    if isinstance(value, list):
        return frozenset(str(v) for v in value)
    if not isinstance(value, str):
        return frozenset()
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    return frozenset(part for part in text.replace(",", " ").split() if part)


def stack_administrators() -> Administrators | None:
    """The admins of the stack's own user pool; None when the API trusts another issuer."""
    pool_id = get_settings().USER_POOL_ID
    return Administrators(pool_id, clients.cognito_idp) if pool_id else None


def admin_powers(caller: Caller, administrators: Administrators | None) -> bool:
    """Whether the caller may use admin powers on this request: their token claims the admin
    group, and the stack's user pool confirms it now. Asks the pool only for such a token;
    AdminCheckUnavailableError if it could not answer."""
    if not caller.claims_admin or administrators is None or caller.username is None:
        return False
    return administrators.confirm(caller.username)


async def current_caller(
    request: Request,
    _: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
    administrators: Annotated[Administrators | None, Depends(stack_administrators)],
) -> Caller:
    caller = caller_of(request)
    if caller is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not caller.claims_admin:
        return caller
    try:
        admin = await run_in_threadpool(admin_powers, caller, administrators)
    except AdminCheckUnavailableError as exc:
        logger.error("the user pool could not confirm an administrator: %s", exc)
        # Neither serve the request with powers nobody confirmed, nor quietly without them.
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Your administrator rights could not be confirmed; try again",
            headers={"Retry-After": str(ADMIN_CHECK_RETRY_AFTER)},
        ) from None
    return caller.model_copy(update={"admin": admin})


async def admin_caller(caller: Annotated[Caller, Depends(current_caller)]) -> Caller:
    if not caller.is_admin:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Administrators only")
    return caller


CurrentCaller = Annotated[Caller, Depends(current_caller)]
AdminCaller = Annotated[Caller, Depends(admin_caller)]
