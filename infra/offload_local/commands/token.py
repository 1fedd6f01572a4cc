"""`token EMAIL [--admin]`: an ID token of the running local cloud's user pool, for the API.

Only the token goes to stdout, so `export TOKEN=$(offload-local token you@example.com)`
works.
"""

from __future__ import annotations

import argparse

from offload_local.aws.endpoint import AwsEndpoint
from offload_local.commands.common import add_state_file_option
from offload_local.errors import InfraError
from offload_local.identity.users import ADMIN_GROUP, UserPool
from offload_local.state import read_state


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "token",
        help="print an ID token for an address, to call the local HTTP API with",
        description="Sign EMAIL in to the running local cloud's Cognito user pool (creating "
        "the user, with a verified address, if need be) and print its ID token, for "
        '`curl -H "Authorization: Bearer $TOKEN" ...`. Tokens last one hour.',
    )
    parser.add_argument("email", help="the user's address (e.g. you@example.com)")
    parser.add_argument(
        "--admin", action="store_true", help=f"make the user a member of the {ADMIN_GROUP} group"
    )
    add_state_file_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    state = read_state(args.state_file)
    if not state.user_pool_id or not state.user_pool_client_id:
        raise InfraError(
            "the running local cloud has no Cognito user pool (its template's HTTP API trusts "
            "another issuer, or none): there is nothing to issue tokens from"
        )
    pool = UserPool(
        AwsEndpoint(state.aws_endpoint, state.region),
        state.user_pool_id,
        state.user_pool_client_id,
        state.admin_group,
    )
    print(pool.id_token(args.email, admin=args.admin))
    return 0
