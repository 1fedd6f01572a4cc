"""An issuer's signing keys, found and cached as API Gateway's JWT authorizer does.

API Gateway reads the issuer's OpenID configuration (<issuer>/.well-known/openid-configuration)
for its `jwks_uri`, fetches the key set there, and may keep the keys for two hours: a key the
issuer adds meanwhile is not seen until then (which is why key rotation needs a grace period).
The local gateway keeps them exactly as long and never fetches early for an unknown `kid`.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from joserfc.errors import JoseError
from joserfc.jwk import KeySet

KEY_CACHE_SECONDS = 2 * 60 * 60
_FETCH_TIMEOUT_SECONDS = 5


class KeyFetchError(Exception):
    """Raise when an issuer's configuration or key set cannot be read."""


def fetch_json(url: str) -> Any:
    try:
        # Only ever the local AWS endpoint (see issuers.py): http on 127.0.0.1.
        with urllib.request.urlopen(url, timeout=_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            return json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise KeyFetchError(f"{url}: {exc}") from exc


class IssuerKeys:
    """The key set of one issuer, from its OpenID configuration, cached for two hours."""

    def __init__(
        self,
        configuration_url: str,
        ttl: float = KEY_CACHE_SECONDS,
        fetch: Callable[[str], Any] = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.configuration_url = configuration_url
        self._ttl = ttl
        self._fetch = fetch
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: KeySet | None = None
        self._fetched_at = 0.0

    def key_set(self) -> KeySet:
        with self._lock:
            if self._keys is None or self._clock() - self._fetched_at >= self._ttl:
                self._keys = self._load()
                self._fetched_at = self._clock()
            return self._keys

    def _load(self) -> KeySet:
        configuration = self._fetch(self.configuration_url)
        uri = configuration.get("jwks_uri") if isinstance(configuration, dict) else None
        if not uri:
            raise KeyFetchError(f"{self.configuration_url}: no jwks_uri")
        try:
            return KeySet.import_key_set(self._fetch(str(uri)))
        except (TypeError, ValueError, KeyError, JoseError) as exc:
            raise KeyFetchError(f"{uri}: not a key set ({exc})") from exc
