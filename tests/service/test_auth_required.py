"""HER2CDS_AUTH=required over HTTP: every endpoint verifies the CDS Hooks JWT (2.0 §Security).

Valid tokens pass; forged, misdirected, stale or replayed ones get a bare 401 whose body
says nothing, while the reason goes to the log, and the token never does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.service.hook_requests import SERVICE_IDS, full_prefetch, hook_request
from tests.unit.security.tokens import DROP, ISS, b64url, ec_signer, make_token, raw_token

BASE = "https://cds.example.org"
SERVICE = f"/cds-services/{SERVICE_IDS['order-select']}"
FEEDBACK = f"{SERVICE}/feedback"
JKU = "https://ehr.example.org/.well-known/jwks.json"
EHR_FHIR = "https://ehr.example.org/fhir"


@pytest.fixture
def trusted_clients(tmp_path: Path) -> Path:
    path = tmp_path / "trusted-clients.json"
    signer = ec_signer("svc-ec")
    path.write_text(
        json.dumps([{"iss": ISS, "jwks": signer.jwks(), "jku": JKU, "fhir_servers": [EHR_FHIR]}])
    )
    return path


@pytest.fixture
def secured(make_app: Callable[..., Flask], trusted_clients: Path) -> FlaskClient:
    app = make_app(auth="required", trusted_clients_file=trusted_clients, public_base_url=BASE)
    return app.test_client()


def token(path: str, **overrides: Any) -> str:
    return make_token(ec_signer("svc-ec"), aud=f"{BASE}{path}", **overrides)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def order_select_body() -> dict[str, Any]:
    return hook_request("order-select", prefetch=full_prefetch())


def test_valid_tokens_pass_on_every_endpoint(secured: FlaskClient) -> None:
    assert secured.get("/cds-services", headers=bearer(token("/cds-services"))).status_code == 200
    response = secured.post(SERVICE, json=order_select_body(), headers=bearer(token(SERVICE)))
    assert response.status_code == 200, response.get_data(as_text=True)
    feedback = {
        "feedback": [
            {"card": "c-1", "outcome": "overridden", "outcomeTimestamp": "2026-11-21T10:00:00Z"}
        ]
    }
    assert secured.post(FEEDBACK, json=feedback, headers=bearer(token(FEEDBACK))).status_code == 200


def _forged(kind: str) -> str:
    signer = ec_signer("svc-ec")
    aud = f"{BASE}{SERVICE}"
    if kind == "alg-none":
        return raw_token({"alg": "none", "typ": "JWT", "kid": signer.kid}, {"iss": ISS, "aud": aud})
    if kind == "hs256-with-public-key":
        return raw_token(
            {"alg": "HS256", "typ": "JWT", "kid": signer.kid},
            {"iss": ISS, "aud": aud, "iat": 1, "exp": 9999999999, "jti": "x"},
            hmac_secret=signer.public_pem(),
        )
    if kind == "wrong-iss":
        return token(SERVICE, iss="https://attacker.example")
    if kind == "unlisted-jku":
        return make_token(
            signer, aud=aud, header_overrides={"jku": "https://attacker.example/jwks"}
        )
    if kind == "wrong-aud":
        return token("/cds-services")  # minted for discovery, used on the service
    if kind == "host-header-aud":
        return make_token(signer, aud=f"http://localhost{SERVICE}")
    if kind == "expired":
        return token(SERVICE, now=1_000_000_000)
    if kind == "future-iat":
        import time

        now = int(time.time())
        return token(SERVICE, iat=now + 3600, exp=now + 3900)
    if kind == "no-jti":
        return token(SERVICE, jti=DROP)
    if kind == "unknown-key":
        return make_token(ec_signer("another-key").with_kid("svc-ec"), aud=aud)
    if kind == "garbage":
        return b64url(b"not a jwt")
    raise AssertionError(kind)


ATTACKS = [
    "alg-none",
    "hs256-with-public-key",
    "wrong-iss",
    "unlisted-jku",
    "wrong-aud",
    "host-header-aud",
    "expired",
    "future-iat",
    "no-jti",
    "unknown-key",
    "garbage",
]


@pytest.mark.parametrize("kind", ATTACKS)
def test_bad_tokens_get_a_bare_401(
    secured: FlaskClient, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bad = _forged(kind)
    response = secured.post(SERVICE, json=order_select_body(), headers=bearer(bad))
    assert response.status_code == 401
    assert response.get_data() == b""  # nothing about why
    assert response.headers["WWW-Authenticate"] == "Bearer"
    reasons = [r.auth_reason for r in caplog.records if getattr(r, "auth_reason", None)]
    assert reasons, "the reason is logged"
    assert bad not in caplog.text


def test_missing_token_is_401_on_every_endpoint(secured: FlaskClient) -> None:
    assert secured.get("/cds-services").status_code == 401
    assert secured.post(SERVICE, json=order_select_body()).status_code == 401
    assert secured.post(FEEDBACK, json={"feedback": []}).status_code == 401


def test_a_replayed_token_is_refused(secured: FlaskClient) -> None:
    once = token(SERVICE)
    assert secured.post(SERVICE, json=order_select_body(), headers=bearer(once)).status_code == 200
    assert secured.post(SERVICE, json=order_select_body(), headers=bearer(once)).status_code == 401


def test_preflight_needs_no_token(secured: FlaskClient) -> None:
    response = secured.options(
        SERVICE,
        headers={
            "Origin": "https://sandbox.cds-hooks.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert response.status_code == 200


def test_the_fhir_server_must_be_one_of_the_clients(secured: FlaskClient) -> None:
    body = hook_request(
        "order-select", prefetch=None, fhir_server="https://other-ehr.example.org/fhir", token="t"
    )
    response = secured.post(SERVICE, json=body, headers=bearer(token(SERVICE)))
    assert response.status_code == 403
    assert response.get_json()["resourceType"] == "OperationOutcome"


def test_fhir_authorization_patient_must_match_the_context(secured: FlaskClient) -> None:
    body = hook_request("order-select", prefetch=full_prefetch(), fhir_server=EHR_FHIR, token="t")
    body["fhirAuthorization"]["patient"] = "someone-else"
    response = secured.post(SERVICE, json=body, headers=bearer(token(SERVICE)))
    assert response.status_code == 403
