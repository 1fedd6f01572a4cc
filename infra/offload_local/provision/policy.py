"""Resource policies set whole on each resource they name (a queue's, a topic's).

moto keeps such a policy without evaluating it (unlike a bucket's: see s3.py), so a statement
with a condition, such as "deny without TLS" over the local cloud's plain HTTP, is stored as
written.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.provision.base import ProvisionContext, Provisioner
from offload_local.provision.resources import Provisioned


class PolicyProvisioner(Provisioner):
    """Sets the policy on each resource its `targets` property lists."""

    # The property that lists the resources (queue URLs, topic ARNs).
    targets: ClassVar[str]

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        document = json.dumps(properties["PolicyDocument"])
        for target in properties[self.targets]:
            self.attach(ctx, str(target), document)
        return Provisioned(type=self.resource_type, ref=ctx.stack.physical_name(logical_id))

    @abstractmethod
    def attach(self, ctx: ProvisionContext, target: str, document: str) -> None:
        """Set the policy document (JSON text) on one resource."""
