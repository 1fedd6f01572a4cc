"""Route throttling: a token bucket per route, its limits from the stage."""

from __future__ import annotations

from offload_local.gateway.throttle import RouteThrottles, TokenBucket
from offload_local.provision.deployment import HttpApi, Route, RouteThrottle

ARN = "arn:aws:lambda:us-east-1:123456789012:function:local-Api"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_full_bucket_spends_its_burst_then_refills_at_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(RouteThrottle(rate_limit=2, burst_limit=3), clock)

    burst = [bucket.take() for _ in range(4)]
    clock.now += 0.49
    too_soon = bucket.take()
    clock.now += 0.01
    after_half_a_second = bucket.take()
    clock.now += 60
    refilled = [bucket.take() for _ in range(4)]

    assert burst == [True, True, True, False]
    assert too_soon is False
    assert after_half_a_second is True
    # Never more than the burst, however long it waited.
    assert refilled == [True, True, True, False]


def test_each_route_has_its_own_bucket_with_its_own_limits() -> None:
    api = HttpApi(
        logical_id="Api",
        api_id="abc",
        routes=(Route("POST", "/register", ARN), Route("GET", "/health", ARN)),
        default_throttle=RouteThrottle(rate_limit=1, burst_limit=2),
        route_throttles={"POST /register": RouteThrottle(rate_limit=1, burst_limit=1)},
    )
    throttles = RouteThrottles(api, Clock())

    register = [throttles.allow("POST /register") for _ in range(2)]
    health = [throttles.allow("GET /health") for _ in range(3)]

    assert register == [True, False]
    assert health == [True, True, False]


def test_a_stage_without_throttling_lets_everything_through() -> None:
    api = HttpApi(logical_id="Api", api_id="abc", routes=(Route("GET", "/x", ARN),))
    throttles = RouteThrottles(api, Clock())

    assert all(throttles.allow("GET /x") for _ in range(1000))


def test_a_burst_of_zero_refuses_every_request() -> None:
    bucket = TokenBucket(RouteThrottle(rate_limit=0, burst_limit=0), Clock())

    assert bucket.take() is False
