"""Provisioning the translated template into the local AWS endpoint, one provisioner per type."""

from offload_local.provision.engine import PROVISIONERS, check_supported, provision

__all__ = ["PROVISIONERS", "check_supported", "provision"]
