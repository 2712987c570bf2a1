"""JWK Sets fetched from the configured `jku`, served by a real HTTPS server on loopback."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from cds_service.auth import AuthenticationError, JwtVerifier
from cds_service.replay_cache import MemoryReplayCache
from cds_service.trusted_clients import ConfigurationError, TrustedClient, load_trusted_clients
from tests.unit.security.jwks_server import JwksServer
from tests.unit.security.tokens import AUD, ISS, FakeClock, ec_signer, make_token, rsa_signer

REFRESH = 60.0


def jku_client(server: JwksServer, **kwargs: Any) -> TrustedClient:
    return TrustedClient(iss=ISS, jku=server.url, **kwargs)


def make_verifier(*clients: TrustedClient, session: requests.Session, **kwargs: Any) -> JwtVerifier:
    kwargs.setdefault("replay_cache", MemoryReplayCache())
    kwargs.setdefault("jwks_refresh_interval_seconds", REFRESH)
    return JwtVerifier(clients, session=session, **kwargs)


def reason_for(verifier: JwtVerifier, token: str) -> str:
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(f"Bearer {token}", AUD)
    return info.value.reason


def test_keys_fetched_from_jku_and_cached(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    es = ec_signer()
    rs = rsa_signer()
    jwks_server.jwks = {"keys": [es.public_jwk(), rs.public_jwk()]}
    verifier = make_verifier(jku_client(jwks_server), session=https_session)
    verifier.verify(f"Bearer {make_token(es, header_overrides={'jku': jwks_server.url})}", AUD)
    verifier.verify(f"Bearer {make_token(rs)}", AUD)  # jku header is optional
    verifier.verify(f"Bearer {make_token(es)}", AUD)
    assert jwks_server.hits == 1


def test_jku_client_from_config_file(
    tmp_path: Any, jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    config = tmp_path / "clients.json"
    config.write_text(json.dumps([{"iss": ISS, "jku": jwks_server.url, "fhir_servers": []}]))
    verifier = make_verifier(*load_trusted_clients(config), session=https_session)
    verifier.verify(f"Bearer {make_token(signer)}", AUD)


def test_unlisted_jku_is_never_fetched(
    jwks_server: JwksServer, other_jwks_server: JwksServer, https_session: requests.Session
) -> None:
    """An attacker's token names the attacker's JWK Set; we must not even contact it."""
    genuine = ec_signer()
    attacker = ec_signer("attacker")
    jwks_server.jwks = genuine.jwks()
    other_jwks_server.jwks = attacker.jwks()
    verifier = make_verifier(jku_client(jwks_server), session=https_session)
    for kid in (attacker.kid, genuine.kid):
        token = make_token(attacker.with_kid(kid), header_overrides={"jku": other_jwks_server.url})
        assert reason_for(verifier, token) == "jku not allowed for this iss"
    assert other_jwks_server.hits == 0
    assert jwks_server.hits == 0


def test_key_rotation_new_kid_picked_up_on_refresh(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    old = ec_signer("key-2025")
    new = ec_signer("key-2026")
    clock = FakeClock()
    jwks_server.jwks = old.jwks()
    verifier = make_verifier(jku_client(jwks_server), session=https_session, clock=clock)
    verifier.verify(f"Bearer {make_token(old, now=clock.now)}", AUD)
    assert jwks_server.hits == 1

    jwks_server.jwks = {"keys": [old.public_jwk(), new.public_jwk()]}
    # Within the refresh interval an unknown kid does not trigger a fetch.
    assert reason_for(verifier, make_token(new, now=clock.now)) == "unknown kid"
    assert jwks_server.hits == 1
    clock.advance(REFRESH)
    verifier.verify(f"Bearer {make_token(new, now=clock.now)}", AUD)
    verifier.verify(f"Bearer {make_token(old, now=clock.now)}", AUD)
    assert jwks_server.hits == 2


def test_unknown_kid_refreshes_once_then_fails(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    clock = FakeClock()
    jwks_server.jwks = signer.jwks()
    verifier = make_verifier(jku_client(jwks_server), session=https_session, clock=clock)
    verifier.verify(f"Bearer {make_token(signer, now=clock.now)}", AUD)
    clock.advance(REFRESH + 1)
    assert reason_for(verifier, make_token(signer.with_kid("random-1"), now=clock.now)) == (
        "unknown kid"
    )
    assert jwks_server.hits == 2
    # A flood of random kids right after: no more fetches (not a fetch amplifier).
    for i in range(20):
        token = make_token(signer.with_kid(f"random-{i + 2}"), now=clock.now)
        assert reason_for(verifier, token) == "unknown kid"
    assert jwks_server.hits == 2


def test_first_token_with_unknown_kid_costs_one_fetch(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    verifier = make_verifier(jku_client(jwks_server), session=https_session)
    for i in range(5):
        assert reason_for(verifier, make_token(signer.with_kid(f"nope-{i}"))) == "unknown kid"
    assert jwks_server.hits == 1


def test_removed_key_stops_verifying_after_cache_expiry(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    revoked = ec_signer("revoked")
    kept = ec_signer("kept")
    clock = FakeClock()
    jwks_server.jwks = {"keys": [revoked.public_jwk(), kept.public_jwk()]}
    verifier = make_verifier(
        jku_client(jwks_server), session=https_session, clock=clock, jwks_cache_seconds=600
    )
    verifier.verify(f"Bearer {make_token(revoked, now=clock.now)}", AUD)
    jwks_server.jwks = kept.jwks()
    clock.advance(600)
    assert reason_for(verifier, make_token(revoked, now=clock.now)) == "unknown kid"
    verifier.verify(f"Bearer {make_token(kept, now=clock.now)}", AUD)
    assert jwks_server.hits == 2


def test_failed_refresh_keeps_the_last_good_keys(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    clock = FakeClock()
    jwks_server.jwks = signer.jwks()
    verifier = make_verifier(
        jku_client(jwks_server), session=https_session, clock=clock, jwks_cache_seconds=600
    )
    verifier.verify(f"Bearer {make_token(signer, now=clock.now)}", AUD)
    jwks_server.status = 500
    clock.advance(601)
    verifier.verify(f"Bearer {make_token(signer, now=clock.now)}", AUD)
    assert jwks_server.hits == 2


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"status": 500}, "JWK Set unavailable"),
        ({"status": 404}, "JWK Set unavailable"),
        ({"body": b"<html>not json</html>"}, "JWK Set unavailable"),
        ({"body": b'{"keys": []}'}, "JWK Set unavailable"),
        ({"body": b"[" * 100_000}, "JWK Set unavailable"),
        ({"body": b'{"keys": [' + b'{"kty":"EC"},' * 30_000 + b"{}]}"}, "JWK Set unavailable"),
    ],
    ids=["500", "404", "html", "empty", "deep", "too-large"],
)
def test_unusable_jwks_responses_rejected(
    setup: dict[str, Any],
    reason: str,
    jwks_server: JwksServer,
    https_session: requests.Session,
) -> None:
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    for name, value in setup.items():
        setattr(jwks_server, name, value)
    verifier = make_verifier(jku_client(jwks_server), session=https_session)
    assert reason_for(verifier, make_token(signer)) == reason


def test_redirects_are_not_followed(
    jwks_server: JwksServer, other_jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    other_jwks_server.jwks = signer.jwks()  # the redirect target even has the right key
    jwks_server.redirect_to = other_jwks_server.url
    verifier = make_verifier(jku_client(jwks_server), session=https_session)
    assert reason_for(verifier, make_token(signer)) == "JWK Set unavailable"
    assert jwks_server.hits == 1
    assert other_jwks_server.hits == 0


def test_slow_jwks_endpoint_times_out(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    jwks_server.delay_seconds = 3.0
    verifier = make_verifier(
        jku_client(jwks_server), session=https_session, http_timeout_seconds=0.3
    )
    started = time.monotonic()
    assert reason_for(verifier, make_token(signer)) == "JWK Set unavailable"
    assert time.monotonic() - started < 2.0


def test_tls_certificate_is_verified(jwks_server: JwksServer) -> None:
    """With a session that does not trust the test CA, the fetch fails: TLS is checked."""
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    session = requests.Session()
    session.trust_env = False
    verifier = make_verifier(jku_client(jwks_server), session=session)
    assert reason_for(verifier, make_token(signer)) == "JWK Set unavailable"
    assert jwks_server.hits == 0  # the TLS handshake failed before any HTTP request


def test_symmetric_and_private_keys_in_a_fetched_set_are_ignored(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    secret_jwk = {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQ"}
    leaked = {**ec_signer("leaked").public_jwk(), "d": "AAAA"}
    jwks_server.jwks = {"keys": [secret_jwk, leaked, signer.public_jwk()]}
    verifier = make_verifier(
        jku_client(jwks_server),
        session=https_session,
        allowed_algorithms=("ES384", "RS384"),
    )
    verifier.verify(f"Bearer {make_token(signer)}", AUD)
    assert reason_for(verifier, make_token(ec_signer("leaked"))) == "unknown kid"


def test_clients_sharing_a_jku_share_one_cache(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    verifier = make_verifier(
        jku_client(jwks_server, tenant="a"),
        jku_client(jwks_server, tenant="b"),
        session=https_session,
    )
    verifier.verify(f"Bearer {make_token(signer, tenant='a')}", AUD)
    verifier.verify(f"Bearer {make_token(signer, tenant='b')}", AUD)
    assert jwks_server.hits == 1


@pytest.mark.parametrize(
    "jku",
    [
        "http://127.0.0.1:8443/jwks.json",
        "ftp://ehr.example/jwks.json",
        "https://user:pw@ehr.example/jwks.json",
        "https:///jwks.json",
        "//ehr.example/jwks.json",
    ],
)
def test_non_https_jku_refused_at_construction(jku: str, https_session: requests.Session) -> None:
    with pytest.raises(ConfigurationError):
        make_verifier(TrustedClient(iss=ISS, jku=jku), session=https_session)


def test_concurrent_cold_cache_fetches_once(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    signer = ec_signer()
    jwks_server.jwks = signer.jwks()
    jwks_server.delay_seconds = 0.2  # every thread arrives while the first fetch is running
    verifier = make_verifier(jku_client(jwks_server), session=https_session)
    tokens = [make_token(signer) for _ in range(16)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        clients = list(pool.map(lambda t: verifier.verify(f"Bearer {t}", AUD), tokens))
    assert len({c.jti for c in clients}) == 16
    assert jwks_server.hits == 1


def test_wall_clock_stepping_back_does_not_freeze_the_cache(
    jwks_server: JwksServer, https_session: requests.Session
) -> None:
    old = ec_signer("before-step")
    new = ec_signer("after-step")
    clock = FakeClock()
    jwks_server.jwks = old.jwks()
    verifier = make_verifier(jku_client(jwks_server), session=https_session, clock=clock)
    verifier.verify(f"Bearer {make_token(old, now=clock.now)}", AUD)
    jwks_server.jwks = {"keys": [old.public_jwk(), new.public_jwk()]}
    clock.advance(-7200)  # NTP stepped the clock back two hours
    verifier.verify(f"Bearer {make_token(new, now=clock.now)}", AUD)
    assert jwks_server.hits == 2
