"""`sam local start-api` against the local cloud: requests authorized as API Gateway would, with
the local cloud's tokens; and a restart of the local cloud stops it, saying why.

(The features themselves go through it in tests/e2e, run by `make test-sam-local`.)
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.e2e.client import request
from tests.sam_local.harness import RunningCloud, SamApi, local_cloud, sam_start_api
from tests.security.conftest import moto_signing_key

pytestmark = pytest.mark.sam_local


@pytest.fixture(scope="module")
def api(cloud: RunningCloud, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SamApi]:
    log = tmp_path_factory.mktemp("sam") / "sam.log"
    with sam_start_api(cloud.state_file, log) as api:
        yield api


def forged_token(cloud: RunningCloud, audience: str) -> str:
    """A token of the user pool's issuer, signed with its very key, for another audience."""
    from joserfc import jwt
    from joserfc.jwk import RSAKey

    state = cloud.cloud.state()
    now = int(time.time())
    claims = {
        "sub": "f0f0f0f0-0000-4000-8000-000000000001",
        "email": "you@example.com",
        "email_verified": True,
        "iss": f"https://cognito-idp.{state.region}.amazonaws.com/{state.user_pool_id}",
        "aud": audience,
        "token_use": "id",
        "iat": now,
        "exp": now + 600,
    }
    key = RSAKey.import_key(moto_signing_key())
    return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("", None),
        ("not-a-jwt", "the token is not a JWT"),
        ("forged", "the token does not have a valid audience"),
    ],
)
def test_a_request_without_a_valid_token_is_refused_as_api_gateway_does(
    cloud: RunningCloud, api: SamApi, token: str, reason: str | None
) -> None:
    if token == "forged":
        token = forged_token(cloud, audience="someone-elses-client")

    status, body = request(f"{api.url}/tasks/0123", token=token)

    assert status == 401
    assert json.loads(body) == {"message": "Unauthorized"}
    if reason is not None:
        assert reason in api.output()


def test_public_routes_need_no_token(api: SamApi) -> None:
    assert request(f"{api.url}/health", token="")[0] == 200


def test_a_restart_of_the_local_cloud_stops_sam_local_and_says_why(tmp_path: Path) -> None:
    with ExitStack() as sam:
        # Given sam local start-api, started for a local cloud
        with local_cloud(tmp_path / "first", serve=False) as first:
            api = sam.enter_context(sam_start_api(first.state_file, tmp_path / "sam.log"))
        # When that local cloud stops, and another one starts in its place
        with local_cloud(tmp_path / "second", serve=False) as second:
            first.state_file.write_text(second.state_file.read_text())
            try:
                status = api.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pytest.fail(f"sam local start-api kept running:\n{api.output()}")

    # Then the command stopped the SAM CLI, saying its containers no longer fit
    output = api.output()
    assert status == 2, output
    assert "error: the local cloud" in output
    assert "Traceback" not in output
