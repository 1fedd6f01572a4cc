"""IAM: AWS::IAM::Role, created in moto so its ARN is real. moto does not enforce policies, so
the local cloud cannot catch a missing permission: `sam deploy` still can."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.provision.base import ProvisionContext, Provisioner, error_code, tag_dict
from offload_local.provision.resources import Provisioned


class RoleProvisioner(Provisioner):
    resource_type = "AWS::IAM::Role"
    applied = frozenset(
        {
            "RoleName",
            "AssumeRolePolicyDocument",
            "ManagedPolicyArns",
            "Policies",
            "Path",
            "Description",
            "MaxSessionDuration",
            "Tags",
        }
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "PermissionsBoundary": "moto does not evaluate permissions"
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        iam = ctx.aws.client("iam")
        name = str(properties.get("RoleName") or ctx.stack.physical_name(logical_id, 64))
        request: dict[str, Any] = {
            "RoleName": name,
            "AssumeRolePolicyDocument": json.dumps(properties["AssumeRolePolicyDocument"]),
            "Path": str(properties.get("Path", "/")),
        }
        if "Description" in properties:
            request["Description"] = str(properties["Description"])
        if "MaxSessionDuration" in properties:
            request["MaxSessionDuration"] = int(properties["MaxSessionDuration"])
        if "Tags" in properties:
            tags = tag_dict(properties["Tags"])
            request["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
        try:
            role = iam.create_role(**request)["Role"]
        except Exception as exc:
            if error_code(exc) != "EntityAlreadyExists":
                raise
            role = iam.get_role(RoleName=name)["Role"]
        for policy in properties.get("Policies", []):
            iam.put_role_policy(
                RoleName=name,
                PolicyName=str(policy["PolicyName"]),
                PolicyDocument=json.dumps(_versioned(policy["PolicyDocument"])),
            )
        for arn in properties.get("ManagedPolicyArns", []):
            try:
                iam.attach_role_policy(RoleName=name, PolicyArn=str(arn))
            except Exception as exc:
                # moto knows most AWS managed policies but not all; an attachment changes nothing
                # locally (no policy is enforced), so a missing one is no reason to stop.
                if error_code(exc) != "NoSuchEntity":
                    raise
        return Provisioned(
            type=self.resource_type,
            ref=name,
            attributes={"Arn": role["Arn"], "RoleId": role["RoleId"]},
        )


def _versioned(document: Mapping[str, Any]) -> Mapping[str, Any]:
    # SAM's policy templates leave Version out, which IAM accepts (as the 2008 version) but
    # moto refuses: the current version says the same for these statements.
    return document if "Version" in document else {"Version": "2012-10-17", **document}
