"""The local cloud: template.yaml running on one machine, without Docker or an AWS account.

moto's server stands in for the AWS APIs; every resource of the translated template is either
provisioned into it with boto3 or run by an emulator here (functions, the HTTP API, event source
mappings). `offload-local --help` lists the commands.
"""
