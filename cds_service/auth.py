"""CDS Hooks 2.0 client authentication: verify the ``Authorization: Bearer <JWT>`` header.

`JwtVerifier.verify` returns an `AuthenticatedClient` or raises `AuthenticationError` (answer a
bare 401; the reason is for the log only). `ReplayCacheUnavailable` passes through unchanged
(answer 503: a token that could not be replay-checked is never accepted).

What is checked, in this order (each failure has a short reason without token material):

1. ``Bearer`` scheme and a compact JWS (three base64url segments, at most 16 KiB).
2. Header: ``alg`` in the configured allowlist (ES384/RS384 by default; ``none`` and HMAC can
   never be configured); ``typ`` present and ``JWT`` (case-insensitive, ``application/jwt``
   too); ``kid`` a non-empty string; no ``crit``/``b64``. Embedded-key headers (``jwk``,
   ``x5c``, ``x5u``) are ignored, never used.
3. ``iss`` (read before the signature check only to pick the client) is a trusted client; the
   ``tenant`` claim selects the entry when the iss has per-tenant entries.
4. A ``jku`` header must equal that client's configured ``jku`` exactly; a client with no
   configured ``jku`` accepts no ``jku`` header. Keys are fetched only from the configured URL.
5. Key by ``kid``: pinned keys (``jwks``/``jwks_file``) or the client's cached JWK Set. An
   unknown ``kid`` triggers one refetch, at most one fetch per JWK Set URL every
   `jwks_refresh_interval_seconds` (so tokens with random kids cannot make us hammer a URL).
   Cached sets are refetched after `jwks_cache_seconds`; if that fails the last good keys stay.
   Fetches use `requests` with a timeout, ``allow_redirects=False``, 200 only, a size limit.
6. The header ``alg`` must fit the key (EC curve / RSA, and the JWK's ``alg`` if any), so a
   token cannot pick HS256 and have our public key used as an HMAC secret. PyJWT then verifies
   the signature with ``jwt.PyJWK(key, algorithm)`` and ``algorithms`` = allowlist ∩ key.
7. Claims (PyJWT): ``aud`` equals `audience` (string, or array containing it); ``iss``; ``exp``,
   ``iat``, ``jti`` present. Times are checked here against the injectable `clock`: ``exp``
   not passed, ``iat`` not in the future, ``nbf`` (if any) reached — each with `leeway_seconds`
   — and ``iat`` not older than `max_token_age_seconds`.
8. Replay: the cache records sha256(iss, jti) with ttl = remaining usable lifetime + leeway
   (capped by the max age); a second use is refused. This is last, so forged tokens cannot
   burn jtis.

Logging (``her2cds.auth``): reasons, and iss only once it is a trusted iss; tenant and jti only
for accepted tokens. Never the token, other claims or key ids.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import jwt
import requests

from cds_service.jwks_keys import KeySource, KeyStore
from cds_service.replay_cache import ReplayCache, ReplayCacheUnavailable
from cds_service.trusted_clients import (
    SUPPORTED_ALGORITHMS,
    ConfigurationError,
    TrustedClient,
    VerificationKey,
    check_client_set,
    parse_jwk_set,
    validate_jku,
)

__all__ = [
    "DEFAULT_ALGORITHMS",
    "AuthenticatedClient",
    "AuthenticationError",
    "JwtVerifier",
]

log = logging.getLogger("her2cds.auth")

DEFAULT_ALGORITHMS: tuple[str, ...] = ("ES384", "RS384")
MAX_TOKEN_LENGTH = 16 * 1024
MAX_CLAIM_STRING = 256
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_ACCEPTED_TYP = frozenset({"jwt", "application/jwt"})


class AuthenticationError(Exception):
    """The request is not authenticated. `reason` is for the service log, never the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class AuthenticatedClient:
    """A verified caller. `tenant` is the configured tenant of the matched entry; for an entry
    without tenant it is the token's (signed) ``tenant`` claim, or None."""

    iss: str
    tenant: str | None
    jti: str
    fhir_servers: tuple[str, ...]


def _fail(reason: str) -> NoReturn:
    raise AuthenticationError(reason)


def _short_string(value: object) -> bool:
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_CLAIM_STRING
        and value.isprintable()
        and value.strip() == value
    )


def _number(claims: Mapping[str, Any], name: str) -> float:
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        _fail(f"{name} is not a number")
    number = float(value)
    if not math.isfinite(number):
        _fail(f"{name} is not a number")
    return number


def _index_clients(
    clients: Sequence[TrustedClient],
) -> tuple[dict[str, list[TrustedClient]], dict[int, KeySource]]:
    """The clients by iss, and each client's key source (by id(client)): its pinned keys, or
    one source per JWK Set URL shared by the clients that name it. Raises ConfigurationError
    for a non-https ``jku`` or an unusable pinned JWK Set."""
    by_iss: dict[str, list[TrustedClient]] = {}
    sources: dict[int, KeySource] = {}
    shared: dict[str, KeySource] = {}  # jku -> source, for fetching clients
    for client in clients:
        by_iss.setdefault(client.iss, []).append(client)
        if client.jku is not None:
            try:
                validate_jku(client.jku)
            except ConfigurationError as exc:
                raise ConfigurationError(f"trusted client {client.iss!r}: {exc}") from None
        if client.jwks is not None:
            keys, problems = parse_jwk_set(client.jwks)
            if problems or not keys:
                detail = "; ".join(problems) or "no keys"
                raise ConfigurationError(
                    f"trusted client {client.iss!r}: unusable JWK Set: {detail}"
                )
            source = KeySource(jku=client.jku, pinned=keys)
        else:
            assert client.jku is not None  # TrustedClient guarantees a key source
            source = shared.setdefault(client.jku, KeySource(jku=client.jku, pinned=None))
        sources[id(client)] = source
    return by_iss, sources


class JwtVerifier:
    """Verifies CDS Hooks client JWTs against the trusted clients. Thread-safe."""

    def __init__(
        self,
        clients: Sequence[TrustedClient],
        *,
        replay_cache: ReplayCache,
        allowed_algorithms: Sequence[str] = DEFAULT_ALGORITHMS,
        leeway_seconds: int = 30,
        max_token_age_seconds: int = 3600,
        http_timeout_seconds: float = 5.0,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.time,
        jwks_refresh_interval_seconds: float = 60.0,
        jwks_cache_seconds: float = 3600.0,
    ) -> None:
        """Raises ConfigurationError for unusable settings: no clients, a forbidden or unknown
        algorithm (``none``, ``HS*``), a non-https ``jku``, unusable pinned keys, duplicate
        iss+tenant. `session` is for JWK Set fetches (tests pass one trusting their CA)."""
        self._allowed = self._check_algorithms(allowed_algorithms)
        if not 0 <= leeway_seconds <= 300:
            raise ConfigurationError("leeway_seconds must be between 0 and 300")
        if max_token_age_seconds < 1:
            raise ConfigurationError("max_token_age_seconds must be positive")
        if http_timeout_seconds <= 0:
            raise ConfigurationError("http_timeout_seconds must be positive")
        if jwks_refresh_interval_seconds < 0 or jwks_cache_seconds <= 0:
            raise ConfigurationError("JWK Set refresh interval and cache time must be positive")
        clients = tuple(clients)
        if not clients:
            raise ConfigurationError("JwtVerifier needs at least one trusted client")
        check_client_set(clients)
        self._leeway = leeway_seconds
        self._max_age = max_token_age_seconds
        self._clock = clock
        self._keys = KeyStore(
            session=session if session is not None else requests.Session(),
            clock=clock,
            http_timeout_seconds=http_timeout_seconds,
            refresh_interval_seconds=jwks_refresh_interval_seconds,
            cache_seconds=jwks_cache_seconds,
        )
        self._replay_cache = replay_cache
        self._by_iss, self._sources = _index_clients(clients)
        self._clients = clients  # keeps the ids above valid

    @staticmethod
    def _check_algorithms(algorithms: Sequence[str]) -> frozenset[str]:
        if isinstance(algorithms, str):
            raise ConfigurationError("allowed_algorithms must be a sequence of names")
        chosen = frozenset(algorithms)
        if not chosen:
            raise ConfigurationError("allowed_algorithms is empty")
        for name in sorted(chosen):
            if not isinstance(name, str) or name.lower() == "none" or name.upper().startswith("HS"):
                raise ConfigurationError(
                    f"JWT algorithm {name!r} is forbidden (CDS Hooks: no 'none', no HMAC)"
                )
            if name not in SUPPORTED_ALGORITHMS:
                raise ConfigurationError(
                    f"JWT algorithm {name!r} is not supported; use {sorted(SUPPORTED_ALGORITHMS)}"
                )
        return chosen

    @property
    def allowed_algorithms(self) -> frozenset[str]:
        return self._allowed

    # -- verification ------------------------------------------------------------------------

    def verify(self, authorization_header: str | None, audience: str) -> AuthenticatedClient:
        """Verify the ``Authorization`` header value for the endpoint URL `audience`.

        Raises AuthenticationError (401) or ReplayCacheUnavailable (503).
        """
        if not isinstance(audience, str) or not audience:
            raise ValueError("audience must be the non-empty URL of the endpoint")
        trusted_iss: list[str] = []
        try:
            client = self._verify(authorization_header, audience, trusted_iss)
        except AuthenticationError as exc:
            # Drop the chained PyJWT/requests exception: its message may quote token bytes.
            exc.__cause__ = exc.__context__ = None
            exc.__suppress_context__ = True
            log.info(
                "JWT rejected: %s (iss %s)", exc.reason, trusted_iss[0] if trusted_iss else "-"
            )
            raise
        except ReplayCacheUnavailable:
            raise
        except Exception as exc:  # fail closed: never a 500 with token material in a trace
            log.error("JWT verification failed unexpectedly: %s", type(exc).__name__)
            raise AuthenticationError(f"unexpected {type(exc).__name__}") from None
        log.debug(
            "JWT accepted: iss %s tenant %s jti %s", client.iss, client.tenant or "-", client.jti
        )
        return client

    def _verify(
        self, authorization_header: str | None, audience: str, trusted_iss: list[str]
    ) -> AuthenticatedClient:
        token = self._bearer_token(authorization_header)
        alg, kid, client, tenant_claim = self._identify(token, trusted_iss)
        key = self._key(client, kid)
        if alg not in key.algorithms:
            _fail("alg does not match the key")
        claims = self._decode(token, key, alg, audience, client)
        if claims.get("tenant") != tenant_claim:  # same token, so only a decoder bug
            _fail("tenant claim changed")
        now = self._clock()
        exp, iat = self._check_times(claims, now)
        jti = claims.get("jti")
        if not _short_string(jti):
            _fail("invalid jti")
        assert isinstance(jti, str)
        self._first_use(client, jti, exp, iat, now)
        return AuthenticatedClient(
            iss=client.iss,
            tenant=client.tenant if client.tenant is not None else tenant_claim,
            jti=jti,
            fhir_servers=client.fhir_servers,
        )

    def _identify(
        self, token: str, trusted_iss: list[str]
    ) -> tuple[str, str, TrustedClient, str | None]:
        """Steps 2-4, on the unverified token: its header, and the trusted client of its iss
        (and tenant) whose key source may sign it. Returns alg, kid, client, tenant claim."""
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            _fail("malformed token")
        if not isinstance(header, dict) or not isinstance(unverified, dict):
            _fail("malformed token")
        alg, kid, jku = self._check_header(header)
        iss = unverified.get("iss")
        if not isinstance(iss, str) or not iss:
            _fail("missing iss")
        candidates = self._by_iss.get(iss)
        if candidates is None:
            _fail("untrusted iss")
        trusted_iss.append(iss)
        tenant_claim = unverified.get("tenant")
        if tenant_claim is not None and not _short_string(tenant_claim):
            _fail("invalid tenant claim")
        client = self._select_client(candidates, tenant_claim)
        if jku is not None and jku != client.jku:
            _fail("jku not allowed for this iss")
        return alg, kid, client, tenant_claim

    def _key(self, client: TrustedClient, kid: str) -> VerificationKey:
        source = self._sources[id(client)]
        key = self._keys.find_key(source, kid)
        if key is None:
            known = source.pinned or source.fetched_at is not None
            _fail("unknown kid" if known else "JWK Set unavailable")
        return key

    def _decode(
        self, token: str, key: VerificationKey, alg: str, audience: str, client: TrustedClient
    ) -> dict[str, Any]:
        """Steps 6-7: the signature, aud and iss verified by PyJWT; the claims."""
        algorithms = sorted(self._allowed & key.algorithms)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.to_pyjwk(alg),
                algorithms=algorithms,
                audience=audience,
                issuer=client.iss,
                leeway=self._leeway,
                options={
                    "require": ["exp", "iat", "iss", "aud", "jti"],
                    "verify_signature": True,
                    "verify_aud": True,
                    "verify_iss": True,
                    # Time claims are checked in _check_times against the injectable clock.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "enforce_minimum_key_length": True,
                },
            )
        except jwt.InvalidSignatureError:
            _fail("bad signature")
        except jwt.InvalidAudienceError:
            _fail("wrong aud")
        except jwt.InvalidIssuerError:
            _fail("wrong iss")
        except jwt.MissingRequiredClaimError as exc:
            _fail(f"missing {exc.claim}")
        except jwt.InvalidAlgorithmError:
            _fail("alg not allowed")
        except jwt.PyJWTError as exc:
            _fail(f"invalid token ({type(exc).__name__})")
        return claims

    def _check_times(self, claims: Mapping[str, Any], now: float) -> tuple[float, float]:
        """exp, iat and nbf against the clock, each with the leeway; returns exp and iat."""
        exp = _number(claims, "exp")
        iat = _number(claims, "iat")
        if exp <= now - self._leeway:
            _fail("token expired")
        if iat > now + self._leeway:
            _fail("iat in the future")
        if iat < now - self._max_age - self._leeway:
            _fail("token too old")
        if exp < iat:
            _fail("exp before iat")
        if "nbf" in claims and _number(claims, "nbf") > now + self._leeway:
            _fail("token not yet valid")
        return exp, iat

    def _first_use(
        self, client: TrustedClient, jti: str, exp: float, iat: float, now: float
    ) -> None:
        """Step 8, last so forged tokens cannot burn jtis: a jti is used once while valid."""
        usable_until = min(exp, iat + self._max_age)
        ttl = max(1, math.ceil(usable_until + self._leeway - now))
        replay_key = hashlib.sha256(json.dumps([client.iss, jti]).encode("utf-8")).hexdigest()
        if not self._replay_cache.first_use(replay_key, ttl):
            _fail("replayed jti")

    @staticmethod
    def _bearer_token(authorization_header: str | None) -> str:
        if authorization_header is None:
            _fail("no Authorization header")
        if not isinstance(authorization_header, str):
            _fail("malformed Authorization header")
        scheme, _, token = authorization_header.strip().partition(" ")
        if scheme.lower() != "bearer":
            _fail("not a Bearer Authorization header")
        token = token.strip(" ")
        if len(token) > MAX_TOKEN_LENGTH:
            _fail("token too long")
        if not _COMPACT_JWS.fullmatch(token):
            _fail("malformed token")
        return token

    def _check_header(self, header: Mapping[str, Any]) -> tuple[str, str, str | None]:
        alg = header.get("alg")
        if not isinstance(alg, str) or alg not in self._allowed:
            _fail("alg not allowed")
        typ = header.get("typ")
        if typ is None:
            _fail("missing typ")
        if not isinstance(typ, str) or typ.lower() not in _ACCEPTED_TYP:
            _fail("typ is not JWT")
        kid = header.get("kid")
        if kid is None:
            _fail("missing kid")
        if not _short_string(kid):
            _fail("invalid kid")
        if "crit" in header or "b64" in header:
            _fail("critical header extensions are not supported")
        jku = header.get("jku")
        if jku is not None and not isinstance(jku, str):
            _fail("invalid jku")
        return alg, kid, jku

    @staticmethod
    def _select_client(candidates: list[TrustedClient], tenant: str | None) -> TrustedClient:
        if len(candidates) == 1 and candidates[0].tenant is None:
            return candidates[0]
        if tenant is None:
            _fail("tenant claim required for this iss")
        for candidate in candidates:
            if candidate.tenant == tenant:
                return candidate
        _fail("tenant not allowed for this iss")
