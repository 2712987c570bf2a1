"""The verifier's JWK Sets: keys pinned in the trusted-clients file, or fetched from a client's
`jku` over https (bounded in size and time, refreshed at most once per refresh interval, kept
for the cache time; a failed fetch keeps the previous keys and is logged)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import requests

from cds_service.trusted_clients import VerificationKey, parse_jwk_set

log = logging.getLogger("her2cds.auth")

MAX_JWKS_BYTES = 256 * 1024


class KeySource:
    """The keys of one pinned JWK Set or one JWK Set URL, with fetch bookkeeping."""

    def __init__(self, *, jku: str | None, pinned: dict[str, VerificationKey] | None) -> None:
        self.jku = jku
        self.pinned = pinned is not None
        self.keys: dict[str, VerificationKey] = dict(pinned or {})
        self.fetched_at: float | None = None  # last successful fetch (verifier clock)
        self.attempted_at: float | None = None  # last fetch attempt (verifier clock)
        self.lock = threading.Lock()


class JwksFetchError(Exception):
    pass


class KeyStore:
    """Finds a key by `kid` in a source, fetching the source's JWK Set when due. Thread-safe."""

    def __init__(
        self,
        *,
        session: requests.Session,
        clock: Callable[[], float],
        http_timeout_seconds: float,
        refresh_interval_seconds: float,
        cache_seconds: float,
    ) -> None:
        self._session = session
        self._clock = clock
        self._http_timeout = http_timeout_seconds
        self._refresh_interval = refresh_interval_seconds
        self._cache_seconds = cache_seconds

    def find_key(self, source: KeySource, kid: str) -> VerificationKey | None:
        """The key, or None: an unknown kid, or no JWK Set could be had (`fetched_at` None)."""
        if source.pinned:
            return source.keys.get(kid)
        with source.lock:
            now = self._clock()
            fetched = False
            stale = source.fetched_at is None or not (
                0 <= now - source.fetched_at < self._cache_seconds
            )
            if stale and self._may_fetch(source, now):
                self._refresh(source, now)
                fetched = True
            key = source.keys.get(kid)
            if key is None and not fetched and self._may_fetch(source, now):
                self._refresh(source, now)
                key = source.keys.get(kid)
        return key

    def _may_fetch(self, source: KeySource, now: float) -> bool:
        if source.attempted_at is None or now < source.attempted_at:  # first, or clock went back
            return True
        return now - source.attempted_at >= self._refresh_interval

    def _refresh(self, source: KeySource, now: float) -> None:
        """Fetch the JWK Set; on failure keep the previous keys (logged)."""
        assert source.jku is not None
        source.attempted_at = now
        try:
            keys = self._fetch_jwks(source.jku)
        except JwksFetchError as exc:
            log.warning("JWK Set fetch from %s failed: %s", source.jku, exc)
            return
        source.keys = keys
        source.fetched_at = now

    def _fetch_jwks(self, jku: str) -> dict[str, VerificationKey]:
        deadline = time.monotonic() + 2 * self._http_timeout
        try:
            with self._session.get(
                jku,
                timeout=self._http_timeout,
                allow_redirects=False,
                stream=True,
                headers={"Accept": "application/jwk-set+json, application/json"},
            ) as response:
                if response.status_code != 200:
                    raise JwksFetchError(f"HTTP {response.status_code}")
                body = bytearray()
                for chunk in response.iter_content(chunk_size=16 * 1024):
                    body += chunk
                    if len(body) > MAX_JWKS_BYTES:
                        raise JwksFetchError("response too large")
                    if time.monotonic() > deadline:
                        raise JwksFetchError("response too slow")
        except requests.RequestException as exc:
            raise JwksFetchError(type(exc).__name__) from None
        try:
            data = json.loads(bytes(body).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise JwksFetchError("response is not JSON") from None
        keys, problems = parse_jwk_set(data)
        if problems:
            log.warning("JWK Set at %s: %d unusable key(s) ignored", jku, len(problems))
        if not keys:
            raise JwksFetchError("no usable keys")
        return keys
