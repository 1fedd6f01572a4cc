"""One local cloud for the security suite, from template.yaml with small per-user limits (daily
quotas, the rate of writes), and the tokens to call it with: real ones from its user pool, and
forged ones."""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from offload_local.cloud import LocalCloud
from offload_local.console import Console
from offload_local.identity.users import UserPool
from tests.repository import on_free_ports

#: Small, so that a test reaches them in a few requests.
EMAILS_PER_DAY = 3
UPLOAD_BYTES_PER_DAY = 2 * 1024 * 1024
DATASETS_PER_DAY = 3
ITEMS_PER_DAY = 3
#: Each user's writes: 5 at once, in a window of 500 s (one every 100 s on average), so that a
#: flood of a few requests meets the limit however slowly the machine answers them.
WRITE_BURST = 5
WRITE_WINDOW_SECONDS = 500


#: Longer than any test that fills a daily quota takes, uploads processed included.
DAY_END_MARGIN = timedelta(minutes=2)


@dataclass(frozen=True)
class Stack:
    api: str
    cloud: LocalCloud
    outbox: Path

    def token(self, email: str, *, admin: bool = False) -> str:
        return self.cloud.token(email, admin=admin)

    def forged(self, **changes: Any) -> str:
        """A token like the user pool's, signed with its key, with `changes` to its claims."""
        from joserfc import jwt
        from joserfc.jwk import RSAKey

        pool = UserPool.of(self.cloud.deployment)
        assert pool is not None
        now = int(time.time())
        claims = {
            "sub": "f0f0f0f0-0000-4000-8000-000000000001",
            "email": "forger@example.com",
            "email_verified": "true",
            "aud": pool.client_id,
            "iss": f"https://cognito-idp.{self.cloud.deployment.stack.region}.amazonaws.com/"
            f"{pool.pool_id}",
            "token_use": "id",
            "iat": now,
            "exp": now + 600,
        } | changes
        key = RSAKey.import_key(moto_signing_key())
        return jwt.encode({"alg": "RS256", "kid": "dummy"}, claims, key)


def moto_signing_key() -> dict[str, Any]:
    """The private key moto's Cognito signs every token with (its public half is what the
    local gateway checks signatures against)."""
    data = resources.files("moto.cognitoidp").joinpath("resources/jwks-private.json.gz")
    key: dict[str, Any] = json.loads(gzip.decompress(data.read_bytes()))
    return key


@pytest.fixture(scope="package")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    outbox = tmp_path_factory.mktemp("outbox")
    options = replace(
        on_free_ports(outbox),
        parameter_overrides={
            "EmailsPerRecipientPerDay": str(EMAILS_PER_DAY),
            "UploadBytesPerUserPerDay": str(UPLOAD_BYTES_PER_DAY),
            "DatasetsPerUserPerDay": str(DATASETS_PER_DAY),
            "ItemsPerUserPerDay": str(ITEMS_PER_DAY),
            "UserWriteBurstLimit": str(WRITE_BURST),
            "UserWriteRateLimit": str(WRITE_BURST / WRITE_WINDOW_SECONDS),
            # The suite is about who may do what; the throttle has its own test
            # (tests/functional/offload_local/test_throttling.py).
            "SensitiveRouteRateLimit": "1000",
            "SensitiveRouteBurstLimit": "1000",
            "ApiRateLimit": "1000",
            "ApiBurstLimit": "1000",
        },
    )
    with LocalCloud(options, Console(colour=False)) as cloud:
        assert cloud.api_url is not None
        yield Stack(api=cloud.api_url, cloud=cloud, outbox=outbox)


@pytest.fixture
def within_one_utc_day() -> None:
    """A test that fills a daily quota runs within one UTC day: the quota starts again at
    midnight, and the local cloud's functions count by the machine's clock, which a test cannot
    set. So when midnight is near, the test waits for it to pass."""
    now = datetime.now(UTC)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    if midnight - now < DAY_END_MARGIN:
        time.sleep((midnight - now).total_seconds() + 1)
