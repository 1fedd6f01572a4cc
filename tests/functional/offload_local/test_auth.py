"""The JWT authorizer of the local HTTP API against moto's Cognito: demo users, tokens from
LocalCloud.token and `offload-local token`, claims in the event, refusals that never reach
the function. (An issuer the local cloud cannot check: test_cli.)"""

from __future__ import annotations

import http.client
import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from offload_local.banner import banner
from offload_local.cli import main
from offload_local.cloud import CloudOptions, LocalCloud
from offload_local.console import Console
from offload_local.state import CloudState, write_state
from tests.functional.offload_local.project import write_project

TEMPLATE = """
Resources:
  Users:
    Type: AWS::Cognito::UserPool
    Properties:
      UsernameAttributes: [email]
      AutoVerifiedAttributes: [email]
  UsersClient:
    Type: AWS::Cognito::UserPoolClient
    Properties:
      UserPoolId: !Ref Users
      ExplicitAuthFlows: [ALLOW_ADMIN_USER_PASSWORD_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
      ReadAttributes: [email, email_verified]
  Admins:
    Type: AWS::Cognito::UserPoolGroup
    Properties:
      UserPoolId: !Ref Users
      GroupName: admin
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Jwt
        Authorizers:
          Jwt:
            IdentitySource: $request.header.Authorization
            JwtConfiguration:
              issuer: !GetAtt Users.ProviderURL
              audience: [!Ref UsersClient]
  Echo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: echo.handler
      Events:
        Public:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /public
            Method: GET
            Auth:
              Authorizer: NONE
        Private:
          Type: HttpApi
          Properties:
            ApiId: !Ref Api
            Path: /{proxy+}
            Method: ANY
"""

ECHO = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""


@pytest.fixture(scope="module")
def console() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory, console: io.StringIO) -> Iterator[LocalCloud]:
    root = tmp_path_factory.mktemp("auth")
    template = write_project(root, TEMPLATE, echo=ECHO)
    options = CloudOptions(template=template, port=0, aws_port=0, outbox=root / "outbox")
    with LocalCloud(options, Console(console, colour=False)) as running:
        yield running


def call(
    cloud: LocalCloud, path: str, token: str | None = None, scheme: str = "Bearer "
) -> tuple[int, dict[str, str], Any]:
    url = urlsplit(str(cloud.api_url))
    connection = http.client.HTTPConnection(str(url.hostname), url.port, timeout=30)
    headers = {"Authorization": f"{scheme}{token}"} if token else {}
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.headers), json.loads(response.read())
    finally:
        connection.close()


def invocations(console: io.StringIO) -> int:
    return console.getvalue().count("REPORT RequestId")


def test_demo_users_exist_from_the_start(cloud: LocalCloud) -> None:
    assert cloud.user_pool is not None
    cognito = cloud.deployment.aws.client("cognito-idp")
    pool = cloud.user_pool.pool_id

    you = cognito.admin_get_user(UserPoolId=pool, Username="you@example.com")
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="admin@example.com")

    assert {"Name": "email_verified", "Value": "true"} in you["UserAttributes"]
    assert [g["GroupName"] for g in groups["Groups"]] == ["admin"]
    assert cloud.user_pool.client_id == cloud.deployment.registry.ref("UsersClient")


@pytest.mark.parametrize("scheme", ["Bearer ", ""])
def test_a_token_reaches_the_function_as_string_claims(cloud: LocalCloud, scheme: str) -> None:
    token = cloud.token("you@example.com")

    status, _, authorizer = call(cloud, "/me", token, scheme)

    claims = authorizer["jwt"]["claims"]
    assert status == 200
    assert authorizer["jwt"]["scopes"] is None
    assert claims["iss"] == cloud.deployment.registry.get_att("Users", "ProviderURL")
    assert claims["aud"] == cloud.deployment.registry.ref("UsersClient")
    assert (claims["email"], claims["email_verified"]) == ("you@example.com", "true")
    assert claims["token_use"] == "id"
    assert claims["exp"].isdigit()
    assert int(claims["exp"]) - int(claims["iat"]) == 3600
    assert "cognito:groups" not in claims


def test_an_admin_token_carries_the_group_as_api_gateway_renders_arrays(cloud: LocalCloud) -> None:
    status, _, authorizer = call(cloud, "/me", cloud.token("Boss@Example.com", admin=True))

    assert status == 200
    assert authorizer["jwt"]["claims"]["cognito:groups"] == "[admin]"
    assert authorizer["jwt"]["claims"]["email"] == "boss@example.com"


def test_refused_requests_never_reach_the_function(cloud: LocalCloud, console: io.StringIO) -> None:
    cognito = cloud.deployment.aws.client("cognito-idp")
    assert cloud.user_pool is not None
    pool = cloud.user_pool.pool_id
    other = cognito.create_user_pool_client(
        UserPoolId=pool, ClientName="other", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    cloud.token("you@example.com")  # sets a password we do not know: set one we do
    cognito.admin_set_user_password(
        UserPoolId=pool, Username="you@example.com", Password="Aa1!aaaaaaaaaaaa", Permanent=True
    )
    foreign = cognito.admin_initiate_auth(
        UserPoolId=pool,
        ClientId=other,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "you@example.com", "PASSWORD": "Aa1!aaaaaaaaaaaa"},
    )["AuthenticationResult"]["IdToken"]
    before = invocations(console)

    missing = call(cloud, "/me")
    garbage = call(cloud, "/me", "not.a.jwt")
    wrong_audience = call(cloud, "/me", foreign)

    for status, _, body in (missing, garbage, wrong_audience):
        assert (status, body) == (401, {"message": "Unauthorized"})
    assert "valid audience" in wrong_audience[1]["www-authenticate"]
    assert invocations(console) == before


def test_a_public_route_needs_no_token(cloud: LocalCloud) -> None:
    status, _, authorizer = call(cloud, "/public")

    assert (status, authorizer) == (200, None)


def test_the_token_command_finds_the_running_cloud(
    cloud: LocalCloud, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pool = cloud.user_pool
    assert pool is not None
    state = tmp_path / "cloud.json"
    write_state(
        state,
        CloudState(
            pid=os.getpid(),
            aws_endpoint=cloud.aws_url,
            region="us-east-1",
            stack_name="local",
            template="template.yaml",
            user_pool_id=pool.pool_id,
            user_pool_client_id=pool.client_id,
            admin_group=pool.admin_group,
        ),
    )

    status = main(["token", "cli@example.com", "--admin", "--state-file", str(state)])
    token = capsys.readouterr().out.strip()

    assert status == 0
    code, _, authorizer = call(cloud, "/me", token)
    assert code == 200
    assert authorizer["jwt"]["claims"]["email"] == "cli@example.com"
    assert authorizer["jwt"]["claims"]["cognito:groups"] == "[admin]"


def test_the_banner_hands_out_a_token_ready_to_paste(cloud: LocalCloud) -> None:
    text = banner(cloud)

    export = next(line for line in text.splitlines() if "export TOKEN=" in line)
    token = export.split("export TOKEN=", 1)[1]
    api = cloud.api_url
    assert call(cloud, "/me", token)[0] == 200
    # The template's own routes: the public one without the token, the others with it.
    assert f"curl {api}/public" in text
    assert f'curl -H "Authorization: Bearer $TOKEN" {api}/<path>' in text
    # Nothing of another application's routes or sample events.
    assert "send-notification" not in text
    assert "offload-local invoke Echo -e event.json" in text
    assert "offload-local token EMAIL [--admin]" in text
    assert "tokens last one hour" in text
    assert "you@example.com, admin@example.com (admin)" in text
