"""The public CDS Hooks sandbox JWK Set (tests/fixtures copy) as a pinned-key client.

WARNING: the sandbox signs with a private key that is committed to its public repository
(cds-hooks/sandbox, ``keys/``, used by ``src/retrieve-data-helpers/jwt-generator.js``), so
*anyone* can mint tokens that this JWK Set verifies. Trust ``iss=https://sandbox.cds-hooks.org``
only in development. We do not ship that private key, so these tests cannot sign a genuine
sandbox token: they prove the key loads, that the sandbox's header (kid + jku) is accepted up to
the signature check, and that a token with the sandbox kid signed by any other key is refused.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from cds_service.auth import AuthenticationError, JwtVerifier
from cds_service.replay_cache import MemoryReplayCache
from cds_service.trusted_clients import PUBLIC_SANDBOX_ISS, load_trusted_clients, parse_jwk_set
from tests.unit.security.conftest import SANDBOX_JWKS
from tests.unit.security.tokens import ec_signer, make_token

SANDBOX_KID = "44823f3d-0b01-4a6c-a80e-b9d3e8a7226f"
SANDBOX_JKU = "https://sandbox.cds-hooks.org/.well-known/jwks.json"
AUD = "http://localhost:5000/cds-services/her2-order-select"


def sandbox_config(tmp_path: Path, *, with_jku: bool = True) -> Path:
    entry: dict[str, object] = {
        "iss": PUBLIC_SANDBOX_ISS,
        # Relative to the config file, as operators write it.
        "jwks_file": os.path.relpath(SANDBOX_JWKS, tmp_path),
        "fhir_servers": ["http://127.0.0.1:8080/fhir"],
    }
    if with_jku:
        entry["jku"] = SANDBOX_JKU
    path = tmp_path / "clients.json"
    path.write_text(json.dumps([entry]))
    return path


def sandbox_verifier(tmp_path: Path, *, with_jku: bool = True) -> JwtVerifier:
    clients = load_trusted_clients(sandbox_config(tmp_path, with_jku=with_jku))
    return JwtVerifier(clients, replay_cache=MemoryReplayCache())


def test_sandbox_jwks_loads_as_a_jwks_file_client(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="her2cds.auth")
    (client,) = load_trusted_clients(sandbox_config(tmp_path))
    assert client.iss == PUBLIC_SANDBOX_ISS
    assert not client.fetches_keys  # pinned: the sandbox URL is never fetched
    keys, problems = parse_jwk_set(client.jwks)
    assert problems == []
    assert list(keys) == [SANDBOX_KID]
    assert keys[SANDBOX_KID].algorithms == frozenset({"ES384"})
    assert "signing key is public" in caplog.text


def sandbox_shaped_token(**header_overrides: object) -> str:
    """What the sandbox sends (jwt-generator.js), but signed with our own P-384 key."""
    impostor = ec_signer("not-the-sandbox-key").with_kid(SANDBOX_KID)
    return make_token(
        impostor,
        iss=PUBLIC_SANDBOX_ISS,
        aud=AUD,
        header_overrides={"jku": SANDBOX_JKU, **header_overrides},
    )


def test_token_with_sandbox_kid_but_another_key_is_rejected(tmp_path: Path) -> None:
    verifier = sandbox_verifier(tmp_path)
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(f"Bearer {sandbox_shaped_token()}", AUD)
    # Everything up to the signature matched (iss, jku, kid, alg): only the signature failed.
    assert info.value.reason == "bad signature"


def test_sandbox_jku_header_needs_the_jku_entry(tmp_path: Path) -> None:
    verifier = sandbox_verifier(tmp_path, with_jku=False)
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(f"Bearer {sandbox_shaped_token()}", AUD)
    assert info.value.reason == "jku not allowed for this iss"


def test_other_jku_for_the_sandbox_iss_is_rejected(tmp_path: Path) -> None:
    verifier = sandbox_verifier(tmp_path)
    token = sandbox_shaped_token(jku="https://evil.example/.well-known/jwks.json")
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(f"Bearer {token}", AUD)
    assert info.value.reason == "jku not allowed for this iss"
