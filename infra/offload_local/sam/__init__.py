"""The SAM CLI's local commands against a running local cloud.

`sam local start-api` and `sam local invoke` run each function in a Docker container. To use
the local cloud's resources from there, `offload-local sam ...` gives the containers the
resource names and an AWS endpoint they can reach (a relay on the Docker bridge's gateway to
the local cloud's endpoint, for as long as the command runs), answers for the JWT authorizer
SAM does not run, and stops when the local cloud it was started for goes away.
"""
