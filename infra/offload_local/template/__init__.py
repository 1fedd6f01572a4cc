"""template.yaml, read offline: translated by samtranslator, its parameters, rules and intrinsics
evaluated as CloudFormation would, as the stack the local cloud provisions."""
