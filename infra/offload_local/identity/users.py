"""Users of the template's Cognito user pool, and ID tokens for them, for trying the API.

Tokens come from moto's Cognito as the real service issues them to a signed-in user
(AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, which the template's client allows): signed
with the pool's key, `aud` the client id, the address and email_verified among the claims (the
client's ReadAttributes), `cognito:groups` for group members. They last one hour.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.errors import InfraError
from offload_local.provision.base import error_code
from offload_local.provision.deployment import Deployment

# The group whose members the application treats as administrators.
ADMIN_GROUP = "admin"
# Created at start-up, so that a token is at hand for both kinds of caller.
DEMO_USERS = (("you@example.com", False), ("admin@example.com", True))


@dataclass(frozen=True)
class UserPool:
    """The pool, and the app client whose ID tokens the API accepts."""

    aws: AwsEndpoint
    pool_id: str
    client_id: str
    admin_group: str | None = None

    @classmethod
    def of(cls, deployment: Deployment) -> UserPool | None:
        """The pool a JWT authorizer of the template trusts (else its only pool) and the
        client among the authorizer's audience (else the pool's first), if there is one."""
        authorizers = [a for api in deployment.http_apis.values() for a in api.authorizers.values()]
        issuers = {a.issuer for a in authorizers}
        audience = {client for a in authorizers for client in a.audience}
        pools = deployment.registry.of_type("AWS::Cognito::UserPool").values()
        trusted = [p for p in pools if p.attributes.get("ProviderURL") in issuers]
        pool = next(iter(trusted or pools), None)
        if pool is None:
            return None
        cognito = deployment.aws.client("cognito-idp")
        pool_id = str(pool.ref)
        clients = [
            str(c["ClientId"])
            for c in cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)[
                "UserPoolClients"
            ]
        ]
        if not clients:
            return None
        client = next((c for c in clients if c in audience), clients[0])
        groups = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
        return cls(deployment.aws, pool_id, client, ADMIN_GROUP if ADMIN_GROUP in groups else None)

    def id_token(self, email: str, *, admin: bool = False) -> str:
        """A fresh ID token for the address: the user is created (verified) if need be, and
        put in the admin group when asked."""
        username = self.ensure_user(email, admin=admin)
        # A new random password each time: nobody needs to know it, and nothing is stored.
        password = secrets.token_urlsafe(24) + "aA1!"
        cognito = self.aws.client("cognito-idp")
        cognito.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
        result = cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )["AuthenticationResult"]
        return str(result["IdToken"])

    def ensure_user(self, email: str, *, admin: bool = False) -> str:
        """The user of that address, with it verified (and in the admin group if asked);
        returns the username to sign in with."""
        if admin and self.admin_group is None:
            raise InfraError(f"the user pool has no group named {ADMIN_GROUP!r}")
        # The template's pool matches usernames case-insensitively; moto does not.
        username = email.strip().lower()
        self._ensure_verified(username)
        if admin:
            self.aws.client("cognito-idp").admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=username, GroupName=self.admin_group
            )
        return username

    def _ensure_verified(self, email: str) -> None:
        cognito = self.aws.client("cognito-idp")
        verified = [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ]
        try:
            cognito.admin_create_user(
                UserPoolId=self.pool_id,
                Username=email,
                UserAttributes=verified,
                MessageAction="SUPPRESS",
            )
        except Exception as exc:
            if error_code(exc) != "UsernameExistsException":
                raise
            cognito.admin_update_user_attributes(
                UserPoolId=self.pool_id, Username=email, UserAttributes=verified[1:]
            )
