"""Cognito user pools: AWS::Cognito::UserPool, UserPoolClient and UserPoolGroup, in moto.

moto signs real RS256 tokens with the pool as issuer and serves the pool's key set, which is
what the local gateway's JWT authorizer checks tokens against. CreateUserPool and
CreateUserPoolClient make a new one on every call, so an existing one of the same name is
reused: provisioning a running local cloud again (the invoke command does) finds the same ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.errors import UnsupportedResourceError
from offload_local.provision.base import ProvisionContext, Provisioner, error_code
from offload_local.provision.resources import Provisioned

# Properties passed to CreateUserPool unchanged: CloudFormation and the API share their shape.
_POOL_SAME_SHAPE = (
    "AccountRecoverySetting",
    "AdminCreateUserConfig",
    "AliasAttributes",
    "AutoVerifiedAttributes",
    "DeletionProtection",
    "DeviceConfiguration",
    "EmailConfiguration",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "MfaConfiguration",
    "Schema",
    "SmsAuthenticationMessage",
    "SmsConfiguration",
    "SmsVerificationMessage",
    "UserAttributeUpdateSettings",
    "UsernameAttributes",
    "UsernameConfiguration",
    "VerificationMessageTemplate",
    "UserPoolAddOns",
)
# PasswordPolicy numbers may come from Number parameters, which resolve to text.
_PASSWORD_NUMBERS = ("MinimumLength", "TemporaryPasswordValidityDays", "PasswordHistorySize")
_MESSAGES = "no message is sent by the local user pool"


class UserPoolProvisioner(Provisioner):
    resource_type = "AWS::Cognito::UserPool"
    applied = frozenset(
        {*_POOL_SAME_SHAPE, "UserPoolName", "Policies", "UserPoolTags", "EnabledMfas"}
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "EmailAuthenticationMessage": _MESSAGES,
        "EmailAuthenticationSubject": _MESSAGES,
        "UserPoolTier": "the pricing tier has no local meaning",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        cognito = ctx.aws.client("cognito-idp")
        name = str(properties.get("UserPoolName") or ctx.stack.physical_name(logical_id, 128))
        pool_id = _pool_named(cognito, name)
        if pool_id is None:
            request: dict[str, Any] = {
                k: properties[k] for k in _POOL_SAME_SHAPE if k in properties
            }
            if "Policies" in properties:
                request["Policies"] = _policies(properties["Policies"])
            if "UserPoolTags" in properties:
                request["UserPoolTags"] = {
                    str(k): str(v) for k, v in properties["UserPoolTags"].items()
                }
            pool_id = str(cognito.create_user_pool(PoolName=name, **request)["UserPool"]["Id"])
            if "EnabledMfas" in properties:
                _enable_mfas(cognito, logical_id, pool_id, properties)
        # CloudFormation's documented values: the provider name without scheme, the URL with it
        # (the `iss` of the pool's tokens, and so what a JWT authorizer names as its issuer).
        provider = f"cognito-idp.{ctx.stack.region}.amazonaws.com/{pool_id}"
        return Provisioned(
            type=self.resource_type,
            ref=pool_id,
            attributes={
                "Arn": ctx.arn("cognito-idp", f"userpool/{pool_id}"),
                "ProviderName": provider,
                "ProviderURL": f"https://{provider}",
                "UserPoolId": pool_id,
            },
        )


def _pool_named(cognito: Any, name: str) -> str | None:
    for page in cognito.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == name:
                return str(pool["Id"])
    return None


def _policies(policies: Mapping[str, Any]) -> dict[str, Any]:
    password = dict(policies.get("PasswordPolicy", {}))
    for key in _PASSWORD_NUMBERS:
        if key in password:
            password[key] = int(password[key])
    return {**policies, "PasswordPolicy": password} if password else dict(policies)


def _enable_mfas(
    cognito: Any, logical_id: str, pool_id: str, properties: Mapping[str, Any]
) -> None:
    # CloudFormation turns EnabledMfas into SetUserPoolMfaConfig, as done here.
    enabled = set(properties["EnabledMfas"])
    unknown = sorted(enabled - {"SOFTWARE_TOKEN_MFA", "SMS_MFA"})
    if unknown:
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::Cognito::UserPool): EnabledMfas {', '.join(unknown)} is not "
            "implemented locally"
        )
    request: dict[str, Any] = {
        "UserPoolId": pool_id,
        "MfaConfiguration": str(properties.get("MfaConfiguration", "OFF")),
    }
    if "SOFTWARE_TOKEN_MFA" in enabled:
        request["SoftwareTokenMfaConfiguration"] = {"Enabled": True}
    if "SMS_MFA" in enabled:
        request["SmsMfaConfiguration"] = {
            "SmsConfiguration": properties.get("SmsConfiguration", {}),
        }
    cognito.set_user_pool_mfa_config(**request)


_CLIENT_SAME_SHAPE = (
    "AllowedOAuthFlows",
    "AllowedOAuthFlowsUserPoolClient",
    "AllowedOAuthScopes",
    "CallbackURLs",
    "DefaultRedirectURI",
    "EnablePropagateAdditionalUserContextData",
    "EnableTokenRevocation",
    "ExplicitAuthFlows",
    "GenerateSecret",
    "LogoutURLs",
    "PreventUserExistenceErrors",
    "ReadAttributes",
    "RefreshTokenRotation",
    "SupportedIdentityProviders",
    "TokenValidityUnits",
    "WriteAttributes",
)
_CLIENT_NUMBERS = (
    "AccessTokenValidity",
    "AuthSessionValidity",
    "IdTokenValidity",
    "RefreshTokenValidity",
)
# A token's validity when TokenValidityUnits leaves its unit out, and the seconds per unit.
_DEFAULT_UNIT = {"IdToken": "hours", "AccessToken": "hours"}
_SECONDS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}
# moto signs every ID and access token for one hour, whatever the client says.
MOTO_TOKEN_SECONDS = 3600


class UserPoolClientProvisioner(Provisioner):
    resource_type = "AWS::Cognito::UserPoolClient"
    applied = frozenset({*_CLIENT_SAME_SHAPE, *_CLIENT_NUMBERS, "UserPoolId", "ClientName"})
    ignored: ClassVar[Mapping[str, str]] = {
        "AnalyticsConfiguration": "no Pinpoint analytics locally",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        cognito = ctx.aws.client("cognito-idp")
        pool_id = str(properties["UserPoolId"])
        name = str(properties.get("ClientName") or ctx.stack.physical_name(logical_id, 128))
        client = _client_named(cognito, pool_id, name)
        if client is None:
            request: dict[str, Any] = {
                k: properties[k] for k in _CLIENT_SAME_SHAPE if k in properties
            }
            request.update({k: int(properties[k]) for k in _CLIENT_NUMBERS if k in properties})
            client = cognito.create_user_pool_client(
                UserPoolId=pool_id, ClientName=name, **request
            )["UserPoolClient"]
        attributes = {"ClientId": client["ClientId"], "Name": name}
        if client.get("ClientSecret"):
            attributes["ClientSecret"] = client["ClientSecret"]
        return Provisioned(
            type=self.resource_type,
            ref=client["ClientId"],
            attributes=attributes,
            note=_validity_note(properties),
        )


def _client_named(cognito: Any, pool_id: str, name: str) -> dict[str, Any] | None:
    paginator = cognito.get_paginator("list_user_pool_clients")
    for page in paginator.paginate(UserPoolId=pool_id, MaxResults=60):
        for client in page["UserPoolClients"]:
            if client["ClientName"] == name:
                found: dict[str, Any] = cognito.describe_user_pool_client(
                    UserPoolId=pool_id, ClientId=client["ClientId"]
                )["UserPoolClient"]
                return found
    return None


def _validity_note(properties: Mapping[str, Any]) -> str | None:
    units = properties.get("TokenValidityUnits", {})
    differ = []
    for token in ("IdToken", "AccessToken"):
        if f"{token}Validity" not in properties:
            continue
        unit = str(units.get(token, _DEFAULT_UNIT[token]))
        seconds = int(properties[f"{token}Validity"]) * _SECONDS[unit]
        if seconds != MOTO_TOKEN_SECONDS:
            differ.append(f"{token}Validity {properties[f'{token}Validity']} {unit}")
    if not differ:
        return None
    return f"{', '.join(differ)} not applied: moto's tokens last one hour"


class UserPoolGroupProvisioner(Provisioner):
    resource_type = "AWS::Cognito::UserPoolGroup"
    applied = frozenset({"UserPoolId", "GroupName", "Description", "Precedence", "RoleArn"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        name = str(properties.get("GroupName") or ctx.stack.physical_name(logical_id, 128))
        request: dict[str, Any] = {
            "UserPoolId": str(properties["UserPoolId"]),
            "GroupName": name,
        }
        if "Description" in properties:
            request["Description"] = str(properties["Description"])
        if "Precedence" in properties:
            request["Precedence"] = int(properties["Precedence"])
        if "RoleArn" in properties:
            request["RoleArn"] = str(properties["RoleArn"])
        try:
            ctx.aws.client("cognito-idp").create_group(**request)
        except Exception as exc:
            if error_code(exc) != "GroupExistsException":
                raise
        return Provisioned(type=self.resource_type, ref=name)
