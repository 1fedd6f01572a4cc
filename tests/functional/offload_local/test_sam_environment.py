"""The env file `offload-local sam` gives the SAM CLI: the local cloud's values for every
variable the functions declare, its endpoint as containers reach it, the authorizer stand-in for
the function behind the JWT authorizer only, and nothing SAM would drop without a word."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator

import pytest

from offload_local.provision.deployment import Deployment
from offload_local.sam.environment import (
    AUTHORIZER_VARIABLE,
    ENDPOINT_VARIABLE,
    UndeclaredVariableError,
    container_environment,
    declared_variables,
)
from tests.sam_local.harness import local_cloud

ENDPOINT = "http://172.17.0.1:45000"
AUTHORIZER = "http://172.17.0.1:45001/"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    with local_cloud(tmp_path_factory.mktemp("cloud"), serve=False) as running:
        yield running.cloud.deployment


def test_every_function_uses_the_local_cloud_through_the_endpoint_containers_reach(
    deployment: Deployment,
) -> None:
    environment = container_environment(deployment, ENDPOINT, AUTHORIZER)

    assert (
        set(environment)
        == set(deployment.functions)
        == {
            "ApiFunction",
            "WorkerFunction",
            "HeavyWorkerFunction",
        }
    )
    for function, variables in environment.items():
        local = deployment.functions[function].variables
        assert variables[ENDPOINT_VARIABLE] == ENDPOINT
        # The local cloud's own values (resource names), its loopback address replaced
        assert variables["DATA_TABLE_NAME"] == local["DATA_TABLE_NAME"]
        assert not [v for v in variables.values() if "127.0.0.1" in v], variables
    api, worker = environment["ApiFunction"], environment["WorkerFunction"]
    assert api["OFFLOAD_QUEUE_URL"] == local_queue_url(deployment, "TaskQueue")
    assert worker["OFFLOAD_DEAD_LETTER_QUEUE_URL"] == local_queue_url(deployment, "DeadLetterQueue")


def local_queue_url(deployment: Deployment, logical_id: str) -> str:
    return deployment.queues()[logical_id].replace(deployment.aws.url, ENDPOINT)


def test_only_the_function_behind_the_jwt_authorizer_is_told_of_the_stand_in(
    deployment: Deployment,
) -> None:
    environment = container_environment(deployment, ENDPOINT, AUTHORIZER)

    assert environment["ApiFunction"][AUTHORIZER_VARIABLE] == AUTHORIZER
    assert AUTHORIZER_VARIABLE not in environment["WorkerFunction"]


def test_every_variable_is_one_the_sam_cli_applies(deployment: Deployment) -> None:
    # SAM sets only what the function declares: anything else would be dropped without a word.
    environment = container_environment(deployment, ENDPOINT, AUTHORIZER)

    for function, variables in environment.items():
        assert set(variables) <= declared_variables(deployment, function), function


def test_a_template_that_does_not_declare_the_endpoint_is_refused(
    deployment: Deployment,
) -> None:
    # Given the same stack, from a template whose worker does not declare AWS_ENDPOINT_URL
    translated = deployment.stack.translated
    resources = copy.deepcopy(translated.resources)
    del resources["WorkerFunction"]["Properties"]["Environment"]["Variables"][ENDPOINT_VARIABLE]
    stack = dataclasses.replace(
        deployment.stack, translated=dataclasses.replace(translated, resources=resources)
    )

    # Then nothing is started that would send the worker to AWS itself
    with pytest.raises(UndeclaredVariableError) as raised:
        container_environment(dataclasses.replace(deployment, stack=stack), ENDPOINT, AUTHORIZER)

    assert "WorkerFunction does not declare AWS_ENDPOINT_URL" in str(raised.value)
    assert "`!Ref AWS::NoValue`" in str(raised.value)
