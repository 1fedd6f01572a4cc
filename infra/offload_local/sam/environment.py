"""What `sam local --env-vars` gives each function, so that it uses the running local cloud.

The SAM CLI applies an env file's values only to the variables the template declares for a
function; any other is dropped without a word. The functions' own variables (queue URLs, table
and bucket names ...) get the values the local cloud gave them, with its loopback endpoint
replaced by the one containers reach; AWS_ENDPOINT_URL points boto3 there; and a function
behind a JWT authorizer gets SAM_LOCAL_AUTHORIZER_URL, the service that decides for the
authorizer SAM does not run. The template declares those two as `!Ref AWS::NoValue`: the SAM
CLI sees the names (so it applies the values), CloudFormation drops them (a deployed function
never has them).
"""

from __future__ import annotations

from collections.abc import Mapping

from offload_local.errors import InfraError
from offload_local.provision.deployment import Deployment

ENDPOINT_VARIABLE = "AWS_ENDPOINT_URL"
AUTHORIZER_VARIABLE = "SAM_LOCAL_AUTHORIZER_URL"


class UndeclaredVariableError(InfraError):
    """Raise when the template does not declare a variable `sam local` must set."""


def declared_variables(deployment: Deployment, logical_id: str) -> set[str]:
    """The names under the function's Environment.Variables, AWS::NoValue ones included."""
    properties = deployment.stack.translated.resources[logical_id].get("Properties") or {}
    variables = (properties.get("Environment") or {}).get("Variables") or {}
    return {str(name) for name in variables}


def behind_jwt_authorizer(deployment: Deployment) -> set[str]:
    """Logical ids of the functions that some route guarded by a JWT authorizer invokes."""
    return {
        deployment.function(route.function_arn).logical_id
        for api in deployment.http_apis.values()
        for route in api.routes
        if route.authorizer is not None
    }


def container_environment(
    deployment: Deployment, endpoint: str, authorizer_url: str | None
) -> dict[str, dict[str, str]]:
    """The env file's content: variables by function logical id."""
    guarded = behind_jwt_authorizer(deployment)
    environment = {}
    for logical_id, function in deployment.functions.items():
        wanted = {ENDPOINT_VARIABLE: endpoint}
        if logical_id in guarded and authorizer_url is not None:
            wanted[AUTHORIZER_VARIABLE] = authorizer_url
        missing = sorted(set(wanted) - declared_variables(deployment, logical_id))
        if missing:
            raise UndeclaredVariableError(
                f"{deployment.stack.translated.source}: {logical_id} does not declare "
                f"{', '.join(missing)}, and `sam local --env-vars` sets only the variables a "
                "function declares. Declare each under its Environment.Variables (or Globals) "
                "as `!Ref AWS::NoValue`: SAM then sets it locally, and a deployed function "
                "never has it"
            )
        variables = _reachable(function.variables, deployment.aws.url, endpoint)
        environment[logical_id] = {**variables, **wanted}
    return environment


def _reachable(variables: Mapping[str, str], local: str, endpoint: str) -> dict[str, str]:
    """Values that name the loopback endpoint (queue URLs, lists of them) name the containers'
    one instead."""

    def one(value: str) -> str:
        return endpoint + value[len(local) :] if (value + "/").startswith(local + "/") else value

    return {name: ",".join(map(one, value.split(","))) for name, value in variables.items()}
