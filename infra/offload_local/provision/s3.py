"""S3: AWS::S3::Bucket (notifications configured for real, so uploads reach the queue) and
AWS::S3::BucketPolicy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from offload_local.errors import UnsupportedResourceError
from offload_local.provision.base import ProvisionContext, Provisioner, error_code, tag_dict
from offload_local.provision.resources import Provisioned

_CORS_KEYS = {
    "AllowedHeaders": "AllowedHeaders",
    "AllowedMethods": "AllowedMethods",
    "AllowedOrigins": "AllowedOrigins",
    "ExposedHeaders": "ExposeHeaders",
    "Id": "ID",
    "MaxAge": "MaxAgeSeconds",
}

# The API renamed one key of an encryption rule.
_ENCRYPTION_KEYS = {"ServerSideEncryptionByDefault": "ApplyServerSideEncryptionByDefault"}


class BucketProvisioner(Provisioner):
    resource_type = "AWS::S3::Bucket"
    applied = frozenset(
        {
            "BucketName",
            "Tags",
            "NotificationConfiguration",
            "PublicAccessBlockConfiguration",
            "BucketEncryption",
            "VersioningConfiguration",
            "CorsConfiguration",
            "LifecycleConfiguration",
            "OwnershipControls",
        }
    )
    ignored: ClassVar[Mapping[str, str]] = {
        "LoggingConfiguration": "server access logs are not produced locally",
        "MetricsConfigurations": "request metrics are not produced locally",
        "IntelligentTieringConfigurations": "storage classes have no local effect",
    }

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        s3 = ctx.aws.client("s3")
        # Bucket names are global and lower case; CloudFormation lower-cases generated ones too.
        name = str(properties.get("BucketName") or ctx.stack.physical_name(logical_id, 63, True))
        request: dict[str, Any] = {"Bucket": name}
        if ctx.stack.region != "us-east-1":
            request["CreateBucketConfiguration"] = {"LocationConstraint": ctx.stack.region}
        try:
            s3.create_bucket(**request)
        except Exception as exc:
            if error_code(exc) != "BucketAlreadyOwnedByYou":
                raise
        if "Tags" in properties:
            tags = [{"Key": k, "Value": v} for k, v in tag_dict(properties["Tags"]).items()]
            s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags})
        if "PublicAccessBlockConfiguration" in properties:
            s3.put_public_access_block(
                Bucket=name,
                PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"],
            )
        if "BucketEncryption" in properties:
            rules = [
                {_ENCRYPTION_KEYS.get(k, k): v for k, v in rule.items()}
                for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
            ]
            s3.put_bucket_encryption(
                Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules}
            )
        if "VersioningConfiguration" in properties:
            s3.put_bucket_versioning(
                Bucket=name,
                VersioningConfiguration={"Status": properties["VersioningConfiguration"]["Status"]},
            )
        if "OwnershipControls" in properties:
            s3.put_bucket_ownership_controls(
                Bucket=name, OwnershipControls=properties["OwnershipControls"]
            )
        if "CorsConfiguration" in properties:
            rules = [
                {_CORS_KEYS[k]: v for k, v in rule.items()}
                for rule in properties["CorsConfiguration"]["CorsRules"]
            ]
            s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
        if "LifecycleConfiguration" in properties:
            lifecycle = properties["LifecycleConfiguration"]["Rules"]
            rules = [_lifecycle_rule(logical_id, rule) for rule in lifecycle]
            s3.put_bucket_lifecycle_configuration(
                Bucket=name, LifecycleConfiguration={"Rules": rules}
            )
        if "NotificationConfiguration" in properties:
            s3.put_bucket_notification_configuration(
                Bucket=name,
                NotificationConfiguration=_notifications(
                    logical_id, properties["NotificationConfiguration"]
                ),
            )
        region = ctx.stack.region
        return Provisioned(
            type=self.resource_type,
            ref=name,
            attributes={
                "Arn": f"arn:{ctx.stack.partition}:s3:::{name}",
                "DomainName": f"{name}.s3.amazonaws.com",
                "RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
                "DualStackDomainName": f"{name}.s3.dualstack.{region}.amazonaws.com",
                "WebsiteURL": f"http://{name}.s3-website-{region}.amazonaws.com",
            },
        )


def _notifications(logical_id: str, config: Mapping[str, Any]) -> dict[str, Any]:
    unsupported = sorted(set(config) - {"QueueConfigurations", "EventBridgeConfiguration"})
    if unsupported:
        # Lambda and SNS targets would need emulators that do not exist yet: refuse, don't drop.
        raise UnsupportedResourceError(
            f"{logical_id} (AWS::S3::Bucket): NotificationConfiguration.{', '.join(unsupported)} "
            "is not run locally (only QueueConfigurations and EventBridgeConfiguration)"
        )
    out: dict[str, Any] = {}
    queues = []
    for entry in config.get("QueueConfigurations", []):
        queue: dict[str, Any] = {"QueueArn": entry["Queue"], "Events": [entry["Event"]]}
        rules = entry.get("Filter", {}).get("S3Key", {}).get("Rules")
        if rules:
            queue["Filter"] = {"Key": {"FilterRules": rules}}
        queues.append(queue)
    if queues:
        out["QueueConfigurations"] = queues
    if "EventBridgeConfiguration" in config:
        out["EventBridgeConfiguration"] = {}
    return out


def _lifecycle_rule(logical_id: str, rule: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Status": rule["Status"]}
    for key, value in rule.items():
        if key == "Id":
            out["ID"] = value
        elif key == "Prefix":
            out["Filter"] = {"Prefix": value}
        elif key == "ExpirationInDays":
            out["Expiration"] = {"Days": int(value)}
        elif key == "NoncurrentVersionExpirationInDays":
            out["NoncurrentVersionExpiration"] = {"NoncurrentDays": int(value)}
        elif key == "AbortIncompleteMultipartUpload":
            out[key] = {"DaysAfterInitiation": int(value["DaysAfterInitiation"])}
        elif key != "Status":
            raise UnsupportedResourceError(
                f"{logical_id} (AWS::S3::Bucket): lifecycle rule key {key} is not implemented"
            )
    out.setdefault("Filter", {"Prefix": ""})
    return out


class BucketPolicyProvisioner(Provisioner):
    """Applies the policy's unconditional statements.

    moto evaluates bucket policies but not their conditions: a statement with a Condition counts
    as a Deny whatever its Effect, so the usual "deny unless aws:SecureTransport" statement would
    refuse every local request (the local endpoint is plain HTTP anyway). Such statements are
    left out, and the note says which.
    """

    resource_type = "AWS::S3::BucketPolicy"
    applied = frozenset({"Bucket", "PolicyDocument"})

    def create(
        self, ctx: ProvisionContext, logical_id: str, properties: Mapping[str, Any]
    ) -> Provisioned:
        document = dict(properties["PolicyDocument"])
        statements = document.get("Statement", [])
        if isinstance(statements, dict):
            statements = [statements]
        kept = [s for s in statements if "Condition" not in s]
        skipped = [str(s.get("Sid", f"#{i}")) for i, s in enumerate(statements) if "Condition" in s]
        bucket = str(properties["Bucket"])
        if kept:
            ctx.aws.client("s3").put_bucket_policy(
                Bucket=bucket, Policy=json.dumps({**document, "Statement": kept})
            )
        note = None
        if skipped:
            note = (
                f"statements {', '.join(skipped)} not applied: moto cannot evaluate conditions "
                "and would deny every request"
            )
        return Provisioned(type=self.resource_type, ref=bucket, note=note)
