"""Deploys that roll: CloudFormation updates the workers before the API, and no update replaces
a queue (its messages would go with it) or the table (the tasks' rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from offload_local.template.translation import Translated

WORKERS = ("WorkerFunction", "HeavyWorkerFunction")
#: Properties whose change makes CloudFormation replace the resource (AWS's resource reference:
#: "Update requires: Replacement"), that is, delete the old one with what it holds.
REPLACING = {
    "AWS::SQS::Queue": ("QueueName", "FifoQueue"),
    "AWS::DynamoDB::Table": ("TableName", "KeySchema"),
}


def test_a_deploy_updates_the_workers_before_the_api(translated: Translated) -> None:
    depends = translated.resources["ApiFunction"].get("DependsOn", [])

    assert set(WORKERS) <= set([depends] if isinstance(depends, str) else depends)


@pytest.mark.parametrize("kind", sorted(REPLACING))
def test_no_parameter_can_make_a_deploy_replace_what_holds_the_tasks(
    translated: Translated, kind: str
) -> None:
    # Given every queue (and the table): a name or key set from a parameter or a Ref could
    # change between deploys; unset, or literal, it never does.
    found = {n: r for n, r in translated.resources.items() if r["Type"] == kind}
    assert found, kind
    for name, resource in found.items():
        properties = resource.get("Properties", {})
        for key in REPLACING[kind]:
            value = properties.get(key)
            assert value is None or "Ref" not in str(value), (name, key, value)
