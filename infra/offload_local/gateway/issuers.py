"""Where the local gateway reads a JWT issuer's OpenID configuration, if it can at all.

API Gateway fetches <issuer>/.well-known/openid-configuration from the internet. Locally the
only issuers whose keys exist are the template's own Cognito user pools, which moto serves at
<AWS endpoint>/<pool id>/.well-known/openid-configuration (with a jwks_uri on the same
endpoint). Any other issuer cannot be checked, so the local cloud refuses to start rather than
let tokens through unchecked.
"""

from __future__ import annotations

from offload_local.errors import InfraError
from offload_local.provision.deployment import Deployment, HttpApi, JwtAuthorizer


class UnreachableIssuerError(InfraError):
    """Raise when a JWT authorizer trusts an issuer the local cloud cannot fetch keys from."""


def configuration_url(deployment: Deployment, api: HttpApi, authorizer: JwtAuthorizer) -> str:
    pools = deployment.registry.of_type("AWS::Cognito::UserPool")
    for pool in pools.values():
        if pool.attributes.get("ProviderURL") == authorizer.issuer:
            return f"{deployment.aws.url}/{pool.ref}/.well-known/openid-configuration"
    raise UnreachableIssuerError(
        f"{api.logical_id}: JWT authorizer {authorizer.name} trusts tokens issued by "
        f"{authorizer.issuer or '(no issuer)'}, which is not a Cognito user pool of this "
        "template: the local gateway cannot fetch its keys and will not accept tokens "
        "unchecked. Run the local cloud with the template's own user pool as the issuer."
    )
