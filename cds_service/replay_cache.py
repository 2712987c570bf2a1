"""Seen-``jti`` stores for JWT replay protection (CDS Hooks best practice: remember each ``jti``
for the token's lifetime and refuse it a second time).

`MemoryReplayCache` suits one process. With several workers or replicas use
`RedisReplayCache`: ``SET key 1 NX EX ttl`` is atomic across every process sharing the Redis.

Both fail closed: when a cache cannot answer (Redis unreachable, memory cache full of live
entries) `first_use` raises `ReplayCacheUnavailable` and the caller must refuse the request
(the app answers 503), never accept a token it could not check.
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

__all__ = [
    "MemoryReplayCache",
    "RedisReplayCache",
    "ReplayCache",
    "ReplayCacheUnavailable",
]

MAX_KEY_LENGTH = 1024


class ReplayCacheUnavailable(Exception):
    """The cache could not record or look up a key; refuse the token (HTTP 503)."""


@runtime_checkable
class ReplayCache(Protocol):
    def first_use(self, key: str, ttl_seconds: int) -> bool:
        """Atomically record `key` for `ttl_seconds`; True the first time, False if seen within
        its ttl. Raises ReplayCacheUnavailable when that cannot be decided."""
        ...


def _check_arguments(key: str, ttl_seconds: int) -> None:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"replay cache key must be a string of 1..{MAX_KEY_LENGTH} characters")
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds < 1:
        raise ValueError("ttl_seconds must be a positive integer")


class MemoryReplayCache:
    """A thread-safe, bounded, expiring in-process replay cache.

    At most `max_entries` live keys are kept. Expired keys are dropped as new ones arrive; if
    the cache is still full, `first_use` raises ReplayCacheUnavailable rather than evict a live
    key (eviction would let that token be replayed). `clock` is monotonic seconds.
    """

    def __init__(
        self, max_entries: int = 100_000, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be positive")
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._expiry: dict[str, float] = {}
        self._heap: list[tuple[float, str]] = []  # (expiry, key); may hold superseded pairs

    def first_use(self, key: str, ttl_seconds: int) -> bool:
        _check_arguments(key, ttl_seconds)
        with self._lock:
            now = self._clock()
            self._purge(now)
            expiry = self._expiry.get(key)
            if expiry is not None and expiry > now:
                return False
            if len(self._expiry) >= self._max_entries:
                raise ReplayCacheUnavailable("memory replay cache is full")
            deadline = now + ttl_seconds
            self._expiry[key] = deadline
            heapq.heappush(self._heap, (deadline, key))
            return True

    def _purge(self, now: float) -> None:
        heap = self._heap
        while heap and heap[0][0] <= now:
            deadline, key = heapq.heappop(heap)
            if self._expiry.get(key) == deadline:
                del self._expiry[key]

    def __len__(self) -> int:
        with self._lock:
            self._purge(self._clock())
            return len(self._expiry)


def _redacted(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "<unparseable redis url>"
    return f"{parts.scheme}://{host}{port}{parts.path}"


class RedisReplayCache:
    """Replay cache in Redis: ``SET <prefix><key> 1 NX EX <ttl>``, atomic across processes.

    Connection problems, timeouts and error replies raise ReplayCacheUnavailable (fail closed).
    The URL may carry a password; it never appears in messages or ``repr``.
    """

    def __init__(
        self,
        url: str,
        prefix: str = "her2cds:jti:",
        *,
        socket_timeout_seconds: float = 1.0,
        client: redis.Redis | None = None,
    ) -> None:
        self._prefix = prefix
        self._where = _redacted(url)
        if client is not None:
            self._redis = client
            return
        try:
            self._redis = redis.Redis.from_url(
                url,
                socket_timeout=socket_timeout_seconds,
                socket_connect_timeout=socket_timeout_seconds,
                # One immediate retry: enough to replace a pooled connection that Redis closed
                # (restart, idle timeout), short enough to answer 503 quickly when it is down.
                retry=Retry(NoBackoff(), 1),
                health_check_interval=30,
            )
        except ValueError:
            raise ValueError(f"invalid Redis URL for the replay cache: {self._where}") from None

    def first_use(self, key: str, ttl_seconds: int) -> bool:
        _check_arguments(key, ttl_seconds)
        try:
            created = self._redis.set(self._prefix + key, b"1", nx=True, ex=ttl_seconds)
        except (redis.RedisError, OSError) as exc:
            raise ReplayCacheUnavailable(
                f"Redis replay cache at {self._where} failed: {type(exc).__name__}"
            ) from None
        return bool(created)

    def ping(self) -> None:
        """Raise ReplayCacheUnavailable unless Redis answers (for readiness checks)."""
        try:
            self._redis.ping()
        except (redis.RedisError, OSError) as exc:
            raise ReplayCacheUnavailable(
                f"Redis replay cache at {self._where} failed: {type(exc).__name__}"
            ) from None

    def close(self) -> None:
        self._redis.close()

    def __repr__(self) -> str:
        return f"RedisReplayCache({self._where!r}, prefix={self._prefix!r})"
