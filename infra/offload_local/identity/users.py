"""Users of the template's Cognito user pool, and ID tokens for them, for trying the API.

Tokens come from moto's Cognito as the real service issues them to a signed-in user
(AdminInitiateAuth with ADMIN_USER_PASSWORD_AUTH, which the template's client allows): signed
with the pool's key, `aud` the client id, the address and email_verified among the claims (the
client's ReadAttributes), `cognito:groups` for group members. They last one hour.

The API uses an admin's powers only if the pool says they have TOTP MFA on (app/admins.py), so
an admin made here, in a pool that offers TOTP, enrols an authenticator as a person would
(AssociateSoftwareToken, VerifySoftwareToken, TOTP preferred) and signs in answering the code
challenge. The secret is kept by this object only: a user enrolled by another process (an
earlier `token` command) is enrolled afresh, as an operator resets a lost authenticator.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.errors import InfraError
from offload_local.identity.totp import totp_code
from offload_local.provision.base import error_code
from offload_local.provision.deployment import Deployment

# The group whose members the application treats as administrators.
ADMIN_GROUP = "admin"
# Cognito's name for TOTP MFA, in a user's UserMFASettingList and in the sign-in challenge.
TOTP_MFA = "SOFTWARE_TOKEN_MFA"
# Created at start-up, so that a token is at hand for both kinds of caller (an admin only where
# the pool has the admin group).
DEMO_USERS = (("you@example.com", False), ("admin@example.com", True))


def demo_users(pool: UserPool) -> list[tuple[str, bool]]:
    """The demo users this pool can have: the admin only if it has the admin group."""
    return [(email, admin) for email, admin in DEMO_USERS if not admin or pool.admin_group]


@dataclass(frozen=True)
class UserPool:
    """The pool, and the app client whose ID tokens the API accepts."""

    aws: AwsEndpoint
    pool_id: str
    client_id: str
    admin_group: str | None = None
    #: The TOTP secret of each user enrolled here, by username: the authenticator app.
    authenticator: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

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
        made an admin when asked (in the admin group, TOTP MFA on)."""
        username = self.ensure_user(email, admin=admin)
        if username not in self.authenticator and self.has_totp(username):
            # Enrolled by another process: its code cannot be answered without the secret.
            self.enrol_totp(username)
        return str(self._sign_in(username, self._new_password(username))["IdToken"])

    def ensure_user(self, email: str, *, admin: bool = False) -> str:
        """The user of that address, with it verified (and, if asked, in the admin group with
        TOTP MFA on); returns the username to sign in with."""
        if admin and self.admin_group is None:
            raise InfraError(f"the user pool has no group named {ADMIN_GROUP!r}")
        # The template's pool matches usernames case-insensitively; moto does not.
        username = email.strip().lower()
        self._ensure_verified(username)
        if admin:
            self.aws.client("cognito-idp").admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=username, GroupName=self.admin_group
            )
            if self.offers_totp():
                self.enrol_totp(username)
        return username

    def offers_totp(self) -> bool:
        """Whether the pool lets users turn TOTP MFA on (Cognito refuses it otherwise)."""
        config = self.aws.client("cognito-idp").get_user_pool_mfa_config(UserPoolId=self.pool_id)
        software_token = config.get("SoftwareTokenMfaConfiguration") or {}
        return config.get("MfaConfiguration") in {"OPTIONAL", "ON"} and bool(
            software_token.get("Enabled")
        )

    def has_totp(self, username: str) -> bool:
        user = self.aws.client("cognito-idp").admin_get_user(
            UserPoolId=self.pool_id, Username=username
        )
        return TOTP_MFA in (user.get("UserMFASettingList") or [])

    def enrol_totp(self, username: str) -> None:
        """Turn TOTP MFA on for the user with a secret kept here, as a person does with an
        authenticator app: signed in, they associate a software token, verify its code and
        prefer it. Nothing to do if it is on with a secret this object knows."""
        if username in self.authenticator and self.has_totp(username):
            return
        cognito = self.aws.client("cognito-idp")
        # On with a secret kept elsewhere, it would stop the sign-in below: reset it first.
        cognito.admin_set_user_mfa_preference(
            UserPoolId=self.pool_id,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": False, "PreferredMfa": False},
        )
        self.authenticator.pop(username, None)
        access = str(self._sign_in(username, self._new_password(username))["AccessToken"])
        secret = str(cognito.associate_software_token(AccessToken=access)["SecretCode"])
        cognito.verify_software_token(
            AccessToken=access, UserCode=totp_code(secret), FriendlyDeviceName="offload-local"
        )
        cognito.admin_set_user_mfa_preference(
            UserPoolId=self.pool_id,
            Username=username,
            SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True},
        )
        self.authenticator[username] = secret

    def _new_password(self, username: str) -> str:
        # A new random one each sign-in: nobody needs to know it, and nothing is stored.
        password = secrets.token_urlsafe(24) + "aA1!"
        self.aws.client("cognito-idp").admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=password, Permanent=True
        )
        return password

    def _sign_in(self, username: str, password: str) -> dict[str, Any]:
        """The tokens of a sign-in, answering the TOTP challenge of a user who has it on."""
        cognito = self.aws.client("cognito-idp")
        result = cognito.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
        challenge = result.get("ChallengeName")
        if challenge == TOTP_MFA and username in self.authenticator:
            result = cognito.admin_respond_to_auth_challenge(
                UserPoolId=self.pool_id,
                ClientId=self.client_id,
                ChallengeName=TOTP_MFA,
                Session=result["Session"],
                ChallengeResponses={
                    "USERNAME": username,
                    f"{TOTP_MFA}_CODE": totp_code(self.authenticator[username]),
                },
            )
        if "AuthenticationResult" not in result:
            raise InfraError(
                f"signing {username} in to the user pool ended in a {result.get('ChallengeName')}"
                " challenge the local cloud cannot answer"
            )
        tokens: dict[str, Any] = result["AuthenticationResult"]
        return tokens

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
