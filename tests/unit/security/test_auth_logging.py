"""Tokens never reach logs, exception messages or tracebacks (CDS Hooks best practice)."""

from __future__ import annotations

import logging
import traceback
import uuid

import pytest
import requests

from cds_service.auth import AuthenticationError, JwtVerifier
from cds_service.replay_cache import MemoryReplayCache
from cds_service.trusted_clients import TrustedClient
from tests.unit.security.jwks_server import JwksServer
from tests.unit.security.tokens import (
    AUD,
    ISS,
    claims,
    ec_signer,
    header,
    make_token,
    raw_token,
)

JKU_ISS = "https://jku-client.example"


def secret_bits(token: str) -> list[str]:
    return [token, *(part for part in token.split(".") if len(part) >= 8)]


def test_tokens_and_other_claims_never_logged(
    caplog: pytest.LogCaptureFixture, jwks_server: JwksServer, https_session: requests.Session
) -> None:
    caplog.set_level(logging.DEBUG)  # everything, including urllib3 and the auth logger
    signer = ec_signer()
    canary = f"CANARY-{uuid.uuid4()}"
    jwks_server.status = 500  # the fetch failure is logged too
    verifier = JwtVerifier(
        [
            TrustedClient(iss=ISS, jwks=signer.jwks(), fhir_servers=()),
            TrustedClient(iss=JKU_ISS, jku=jwks_server.url),
        ],
        replay_cache=MemoryReplayCache(),
        session=https_session,
    )
    valid = make_token(signer, secret=canary, sub=canary)
    tokens = {
        "accepted": valid,
        "replayed": valid,
        "bad signature": make_token(ec_signer("impostor").with_kid(signer.kid), secret=canary),
        "wrong aud": make_token(signer, aud=f"https://{canary}.example/x"),
        "expired": make_token(signer, exp=1, iat=0, secret=canary),
        "untrusted iss": make_token(signer, iss=f"https://{canary}.example"),
        "unknown kid": make_token(signer.with_kid(canary), secret=canary),
        "jku not allowed": make_token(signer, header_overrides={"jku": f"https://{canary}/j"}),
        "hs256": raw_token(
            header(signer, alg="HS256"), claims(secret=canary), hmac_secret=signer.public_pem()
        ),
        "jwks unavailable": make_token(signer, iss=JKU_ISS, secret=canary),
        "malformed": f"{canary}.{canary}.{canary}",
        "invalid jti": make_token(signer, jti=f"{canary}\n"),
    }
    errors: list[AuthenticationError] = []
    for name, token in tokens.items():
        try:
            verifier.verify(f"Bearer {token}", AUD)
        except AuthenticationError as exc:
            errors.append(exc)
        else:
            assert name == "accepted"
    assert len(errors) == len(tokens) - 1

    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "JWT rejected" in logged  # reasons are logged ...
    assert "jti" in logged  # ... and the accepted token's iss/jti at debug
    assert canary not in logged  # ... but no other claim, kid, aud or foreign iss
    for token in tokens.values():
        for bit in secret_bits(token):
            assert bit not in logged
    for error in errors:
        assert error.__cause__ is None and error.__context__ is None
        rendered = "".join(traceback.format_exception(error))
        assert canary not in rendered
        for token in tokens.values():
            for bit in secret_bits(token):
                assert bit not in rendered
                assert bit not in error.reason


def test_trusted_iss_is_logged_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="her2cds.auth")
    signer = ec_signer()
    verifier = JwtVerifier(
        [TrustedClient(iss=ISS, jwks=signer.jwks())], replay_cache=MemoryReplayCache()
    )
    with pytest.raises(AuthenticationError):
        verifier.verify(f"Bearer {make_token(signer, aud='https://elsewhere.example')}", AUD)
    (record,) = [r for r in caplog.records if r.name == "her2cds.auth"]
    assert record.getMessage() == f"JWT rejected: wrong aud (iss {ISS})"
