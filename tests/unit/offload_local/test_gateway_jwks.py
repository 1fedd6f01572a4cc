"""An issuer's keys: found through its OpenID configuration, kept two hours like API Gateway."""

from __future__ import annotations

from typing import Any

import pytest
from joserfc.jwk import KeySet, RSAKey

from offload_local.gateway.jwks import KEY_CACHE_SECONDS, IssuerKeys, KeyFetchError

CONFIGURATION = "http://127.0.0.1:9/us-east-1_pool/.well-known/openid-configuration"
JWKS = "http://127.0.0.1:9/us-east-1_pool/.well-known/jwks.json"


class Issuer:
    def __init__(self) -> None:
        key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.documents: dict[str, Any] = {
            CONFIGURATION: {"issuer": "https://issuer", "jwks_uri": JWKS},
            JWKS: KeySet([key]).as_dict(private=False),
        }
        self.fetched: list[str] = []
        self.now = 0.0

    def fetch(self, url: str) -> Any:
        self.fetched.append(url)
        if url not in self.documents:
            raise KeyFetchError(f"{url}: 404")
        return self.documents[url]

    def clock(self) -> float:
        return self.now


def test_keys_are_fetched_once_then_kept_two_hours() -> None:
    issuer = Issuer()
    keys = IssuerKeys(CONFIGURATION, fetch=issuer.fetch, clock=issuer.clock)

    first = keys.key_set()
    issuer.now += KEY_CACHE_SECONDS - 1
    keys.key_set()
    fetched_within = len(issuer.fetched)
    issuer.now += 1
    keys.key_set()

    assert [key.kid for key in first.keys] == ["k1"]
    assert first.keys[0].is_private is False
    assert fetched_within == 2  # the configuration, then the key set
    assert issuer.fetched == [CONFIGURATION, JWKS, CONFIGURATION, JWKS]


def test_a_configuration_without_jwks_uri_is_an_error() -> None:
    issuer = Issuer()
    issuer.documents[CONFIGURATION] = {"issuer": "https://issuer"}

    with pytest.raises(KeyFetchError, match="no jwks_uri"):
        IssuerKeys(CONFIGURATION, fetch=issuer.fetch).key_set()
