"""Quotas counted in the stack's table (moto): a user's rate of writes and the daily quotas let
a burst through, refuse what is past the limit without counting it, open again when their
window moves on, and hold under concurrent requests."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from app.quotas import DailyQuota, Quota, QuotaExceededError, write_rate
from app.table import Table
from app.wiring import wiring
from offload.testing import Clock
from tests.functional.conftest import Cloud
from tests.moto_aws import items_written_atomically

SUB = "6f0c2a4e-91b7-4d2c-a3f5-0e8d7c6b5a49"


@pytest.fixture
def table(cloud: Cloud) -> Table:
    return wiring().table


@pytest.fixture
def clock() -> Clock:
    # 10:00:01.250 UTC: a quarter second into a 2 s window (windows start at the epoch)
    return Clock(datetime(2026, 12, 8, 10, 0, 1, 250_000, tzinfo=UTC))


def allowed(quota: Quota, subject: str = SUB) -> bool:
    try:
        quota.charge(subject)
    except QuotaExceededError:
        return False
    return True


def test_a_burst_is_let_through_then_refused_until_the_next_window(
    table: Table, clock: Clock
) -> None:
    # 2 writes a second, 4 at once: a window of 2 s that takes 4
    rate = write_rate(table, per_second=2, burst=4, clock=clock.now)

    assert [allowed(rate) for _ in range(4)] == [True] * 4
    with pytest.raises(QuotaExceededError) as refused:
        rate.charge(SUB)

    # Told when to come back: the window (10:00:00 to 10:00:02) ends in 0.75 s, rounded up
    assert (refused.value.retry_after, refused.value.limit) == (1, 4)
    assert refused.value.window == timedelta(seconds=2)
    clock.advance(0.7)
    assert not allowed(rate)
    clock.advance(0.05)
    assert [allowed(rate) for _ in range(5)] == [True] * 4 + [False]


def test_a_refused_charge_counts_nothing(table: Table, clock: Clock) -> None:
    rate = write_rate(table, per_second=1, burst=3, clock=clock.now)
    for _ in range(3):
        rate.charge(SUB)

    assert [allowed(rate) for _ in range(10)] == [False] * 10

    assert rate.used(SUB) == 3
    # Hammering did not push the caller's next window back
    clock.advance(3)
    assert [allowed(rate) for _ in range(4)] == [True] * 3 + [False]


def test_over_time_no_more_than_the_rate_gets_through(table: Table, clock: Clock) -> None:
    # A caller trying every 100 ms for a minute, at 2 writes a second with bursts of 4
    rate = write_rate(table, per_second=2, burst=4, clock=clock.now)
    times: list[datetime] = []
    for _ in range(600):
        if allowed(rate):
            times.append(clock.now())
        clock.advance(0.1)

    # 2 a second over the minute, give or take the burst
    assert 120 - 4 <= len(times) <= 120 + 4
    # and in any span of a window's length, at most two bursts (around a window's edge)
    for i, start in enumerate(times):
        within = [t for t in times[i:] if t - start < timedelta(seconds=2)]
        assert len(within) <= 2 * 4


def test_a_daily_quota_opens_again_at_the_next_utc_midnight(table: Table) -> None:
    clock = Clock(datetime(2026, 12, 8, 22, 59, 59, 500_000, tzinfo=UTC))
    quota = DailyQuota(table, "DATASET", "datasets", 2, clock.now, fold_case=False)
    quota.charge(SUB, 2)

    with pytest.raises(QuotaExceededError) as refused:
        quota.charge(SUB)

    assert refused.value.retry_after == 3601
    clock.advance(3600.5)
    assert allowed(quota)


def test_a_charge_larger_than_the_limit_is_refused_whole(table: Table, clock: Clock) -> None:
    quota = DailyQuota(table, "UPLOAD", "bytes uploaded", 100, clock.now)

    with pytest.raises(QuotaExceededError):
        quota.charge(SUB, 101)

    assert quota.used(SUB) == 0
    quota.charge(SUB, 100)


def test_a_refund_gives_back_what_was_charged(table: Table, clock: Clock) -> None:
    quota = DailyQuota(table, "ITEM", "items", 1, clock.now, fold_case=False)
    quota.charge(SUB)

    quota.refund(SUB)

    assert quota.used(SUB) == 0
    assert allowed(quota)


def test_each_subject_has_a_counter_of_its_own(table: Table, clock: Clock) -> None:
    rate = write_rate(table, per_second=1, burst=1, clock=clock.now)
    emails = DailyQuota(table, "EMAIL", "emails", 1, clock.now)
    rate.charge(SUB)
    emails.charge("You@Example.com")

    # Another user's writes are theirs: a sub is an identifier, and its case is part of it
    assert allowed(rate, SUB.upper())
    assert allowed(rate, "another-sub")
    # An address is the same recipient whatever its case
    assert not allowed(emails, "you@example.com")


def test_counters_are_kept_one_window_past_its_end_then_expire(
    cloud: Cloud, table: Table, clock: Clock
) -> None:
    write_rate(table, per_second=1, burst=5, clock=clock.now).charge(SUB)
    DailyQuota(table, "ITEM", "items", 5, clock.now, fold_case=False).charge(SUB)

    rows = {row["sk"]["S"]: row for row in cloud.rows("QUOTA#")}

    # 10:00:01.25 is in the 5 s window from 10:00:00, kept until 10:00:10; the day until the
    # end of the next one
    assert set(rows) == {"2026-12-08T10:00:00.000+00:00", "2026-12-08"}
    assert rows["2026-12-08T10:00:00.000+00:00"]["pk"]["S"] == f"QUOTA#WRITES#{SUB}"
    expires = {sk: int(row["expires_at"]["N"]) for sk, row in rows.items()}
    assert expires == {
        "2026-12-08T10:00:00.000+00:00": int(
            datetime(2026, 12, 8, 10, 0, 10, tzinfo=UTC).timestamp()
        ),
        "2026-12-08": int(datetime(2026, 12, 10, tzinfo=UTC).timestamp()),
    }


@pytest.fixture
def interleaved() -> Iterator[None]:
    """Threads switching as often as the interpreter can, so that any gap between a check and a
    write would be found; moto given DynamoDB's own atomicity of each write."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with items_written_atomically():
            yield
    finally:
        sys.setswitchinterval(interval)


def test_concurrent_requests_never_pass_the_limit(
    table: Table, clock: Clock, interleaved: None
) -> None:
    rate = write_rate(table, per_second=5, burst=25, clock=clock.now)
    start = threading.Barrier(16)

    def caller(_: int) -> int:
        start.wait()
        return sum(allowed(rate) for _ in range(10))

    with ThreadPoolExecutor(max_workers=16) as pool:
        let_through = sum(pool.map(caller, range(16)))

    assert let_through == 25
    assert rate.used(SUB) == 25
