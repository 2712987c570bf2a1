"""MemoryReplayCache: first use, expiry, bounds (fail closed) and thread safety."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from cds_service.replay_cache import MemoryReplayCache, ReplayCache, ReplayCacheUnavailable


class MonotonicFake:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_first_use_then_replay() -> None:
    cache = MemoryReplayCache()
    assert isinstance(cache, ReplayCache)
    assert cache.first_use("a", 60) is True
    assert cache.first_use("a", 60) is False
    assert cache.first_use("b", 60) is True
    assert len(cache) == 2


def test_entries_expire_after_ttl() -> None:
    clock = MonotonicFake()
    cache = MemoryReplayCache(clock=clock)
    assert cache.first_use("a", 10)
    clock.now += 9.9
    assert not cache.first_use("a", 10)
    clock.now += 0.1
    assert cache.first_use("a", 10)  # expired: a fresh use
    assert not cache.first_use("a", 10)
    clock.now += 100
    assert len(cache) == 0


def test_full_cache_fails_closed_and_recovers_after_expiry() -> None:
    clock = MonotonicFake()
    cache = MemoryReplayCache(max_entries=3, clock=clock)
    for key in "abc":
        assert cache.first_use(key, 10)
    with pytest.raises(ReplayCacheUnavailable):
        cache.first_use("d", 10)
    assert not cache.first_use("a", 10)  # lookups of live keys still work when full
    clock.now += 10
    assert cache.first_use("d", 10)


def test_superseded_heap_entries_do_not_drop_live_keys() -> None:
    clock = MonotonicFake()
    cache = MemoryReplayCache(clock=clock)
    assert cache.first_use("a", 5)
    clock.now += 5
    assert cache.first_use("a", 100)  # re-recorded with a later expiry
    clock.now += 10  # the old (expired) heap entry for "a" is purged now
    assert not cache.first_use("a", 100)


@pytest.mark.parametrize(("key", "ttl"), [("", 1), ("a", 0), ("a", -1), ("a", True), ("a", 1.5)])
def test_bad_arguments_rejected(key: str, ttl: int) -> None:
    with pytest.raises(ValueError):
        MemoryReplayCache().first_use(key, ttl)


def test_concurrent_first_use_of_one_key_succeeds_exactly_once() -> None:
    cache = MemoryReplayCache()
    threads = 32
    barrier = threading.Barrier(threads)

    def use(_: int) -> bool:
        barrier.wait()
        return cache.first_use("shared-jti", 60)

    for _round in range(20):
        cache = MemoryReplayCache()
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(use, range(threads)))
        assert results.count(True) == 1


def test_concurrent_distinct_keys_all_recorded_once() -> None:
    cache = MemoryReplayCache(max_entries=10_000)

    def work(worker: int) -> list[bool]:
        return [cache.first_use(f"k{i}", 60) for i in range(worker % 4, 2000, 4)]

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [r for batch in pool.map(work, range(16)) for r in batch]
    assert results.count(True) == 2000  # each of the 2000 keys succeeded for exactly one worker
    assert len(cache) == 2000
