"""Route throttling as an HTTP API stage applies it: a token bucket per route.

Each route has its own bucket, shared by every caller: it holds up to the burst limit and
refills at the rate limit (requests per second); a request takes one token or is answered 429
`{"message":"Too Many Requests"}` without reaching the integration. The limits are the route's
RouteSettings, else the stage's DefaultRouteSettings; a route with neither is not throttled
here (only the account's quota, far above anything one machine sends, would apply).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from offload_local.provision.deployment import HttpApi, RouteThrottle


class TokenBucket:
    """Starts full: a burst can be spent at once, then requests pass at the steady rate."""

    def __init__(self, limits: RouteThrottle, clock: Callable[[], float]) -> None:
        self._rate = limits.rate_limit
        self._capacity = float(limits.burst_limit)
        self._tokens = self._capacity
        self._clock = clock
        self._updated = clock()

    def take(self) -> bool:
        now = self._clock()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._rate)
        self._updated = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False


class RouteThrottles:
    """The buckets of one API's routes, created on first use."""

    def __init__(self, api: HttpApi, clock: Callable[[], float] = time.monotonic) -> None:
        self._api = api
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, TokenBucket] = {}

    def allow(self, route_key: str) -> bool:
        limits = self._api.throttle(route_key)
        if limits is None:
            return True
        with self._lock:
            bucket = self._buckets.get(route_key)
            if bucket is None:
                bucket = self._buckets[route_key] = TokenBucket(limits, self._clock)
            return bucket.take()
