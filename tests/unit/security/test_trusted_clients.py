"""load_trusted_clients: the JSON file, its schema and every configuration mistake."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from cds_service.trusted_clients import (
    ConfigurationError,
    TrustedClient,
    load_trusted_clients,
    parse_jwk_set,
)
from tests.unit.security.tokens import ISS, ec_signer, rsa_signer

JKU = "https://ehr.example.org/.well-known/jwks.json"


def write(tmp_path: Path, data: Any, name: str = "clients.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def entry(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"iss": ISS, "jku": JKU, "fhir_servers": []}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_loads_all_three_key_sources(tmp_path: Path) -> None:
    es = ec_signer()
    rs = rsa_signer()
    (tmp_path / "keys").mkdir()
    write(tmp_path / "keys", rs.jwks(), "other.json")
    path = write(
        tmp_path,
        [
            entry(tenant="a", fhir_servers=["HTTPS://EHR.Example.org:443/fhir/r4/"]),
            entry(iss="https://inline.example", jku=None, jwks=es.jwks()),
            entry(iss="https://file.example", jku=None, jwks_file="keys/other.json"),
            entry(
                iss="https://sandbox-like.example",
                jku="https://sandbox-like.example/jwks.json",
                jwks_file="keys/other.json",
                description="pinned keys; tokens name this jku",
            ),
        ],
    )
    clients = load_trusted_clients(path)
    assert [c.iss for c in clients] == [
        ISS,
        "https://inline.example",
        "https://file.example",
        "https://sandbox-like.example",
    ]
    first, inline, from_file, both = clients
    assert first == TrustedClient(
        iss=ISS, jku=JKU, jwks=None, tenant="a", fhir_servers=("https://ehr.example.org/fhir/r4",)
    )
    assert first.fetches_keys
    assert inline.jku is None and inline.jwks is not None and not inline.fetches_keys
    assert parse_jwk_set(inline.jwks)[0].keys() == {es.kid}
    assert from_file.jwks is not None
    assert parse_jwk_set(from_file.jwks)[0][rs.kid].algorithms == frozenset({"RS384"})
    assert both.jku == "https://sandbox-like.example/jwks.json" and not both.fetches_keys


def test_loopback_http_fhir_servers_allowed_for_development(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        [entry(fhir_servers=["http://127.0.0.1:8080/fhir", "http://localhost:9/fhir/"])],
    )
    assert load_trusted_clients(path)[0].fhir_servers == (
        "http://127.0.0.1:8080/fhir",
        "http://localhost:9/fhir",
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("not json", "not valid JSON"),
        ({"iss": ISS}, "is not of type 'array'"),
        ([], "should be non-empty"),
        ([{"jku": JKU, "fhir_servers": []}], "'iss' is a required property"),
        ([entry(fhir_servers=None)], "'fhir_servers' is a required property"),
        ([entry(iss="")], "iss"),
        ([entry(iss="a\nb")], "iss"),
        ([entry(jku=None)], "needs a key source"),
        ([entry(jku="http://ehr.example.org/jwks.json")], "jku"),
        ([entry(jku=None, jwks={"keys": []})], "jwks"),
        ([entry(jku=None, jwks={"keys": [{}]}, jwks_file="x.json")], "exclude each other"),
        ([entry(jwks_file="x.json", jwks={"keys": [{"kty": "EC", "kid": "x"}]})], "exclude"),
        ([entry(unknown=1)], "unknown"),
        ([entry(tenant="")], "tenant"),
        ([entry(fhir_servers="https://ehr.example.org/fhir")], "fhir_servers"),
        ([entry(fhir_servers=["ftp://ehr.example.org/fhir"])], "fhir_servers"),
        ([entry(fhir_servers=["https://a.example/fhir", "https://a.example/fhir"])], "unique"),
    ],
)
def test_schema_problems_rejected(tmp_path: Path, data: Any, message: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ConfigurationError, match=message) as info:
        load_trusted_clients(path)
    assert str(path) in str(info.value)


def test_missing_file_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_trusted_clients(tmp_path / "absent.json")


@pytest.mark.parametrize(
    ("fhir_server", "message"),
    [
        ("https://user:pw@ehr.example.org/fhir", "userinfo"),
        ("https://ehr.example.org/fhir?x=1", "query"),
        ("https://ehr.example.org/fhir/../admin", "dot segments"),
        ("http://ehr.example.org/fhir", "http is only allowed for loopback"),
    ],
)
def test_bad_fhir_servers_rejected(tmp_path: Path, fhir_server: str, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        load_trusted_clients(write(tmp_path, [entry(fhir_servers=[fhir_server])]))


def test_duplicate_iss_and_tenant_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="duplicate trusted client"):
        load_trusted_clients(write(tmp_path, [entry(tenant="a"), entry(tenant="a")]))
    with pytest.raises(ConfigurationError, match="duplicate trusted client"):
        load_trusted_clients(write(tmp_path, [entry(), entry()]))
    with pytest.raises(ConfigurationError, match="without tenant"):
        load_trusted_clients(write(tmp_path, [entry(), entry(tenant="a")]))
    # Different tenants, or the same tenant name under different issuers, are fine.
    load_trusted_clients(
        write(tmp_path, [entry(tenant="a"), entry(tenant="b"), entry(iss="https://x", tenant="a")])
    )


def test_jwks_file_problems_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read JWK Set file"):
        load_trusted_clients(write(tmp_path, [entry(jku=None, jwks_file="missing.json")]))
    write(tmp_path, "{nope", "broken.json")
    with pytest.raises(ConfigurationError, match="not valid JSON"):
        load_trusted_clients(write(tmp_path, [entry(jku=None, jwks_file="broken.json")]))
    write(tmp_path, {"not": "a set"}, "shape.json")
    with pytest.raises(ConfigurationError, match="not a JWK Set"):
        load_trusted_clients(write(tmp_path, [entry(jku=None, jwks_file="shape.json")]))


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({**ec_signer().public_jwk(), "d": "AAAA"}, "private key material"),
        ({**rsa_signer().public_jwk(), "p": "AAAA"}, "private key material"),
        ({"kty": "oct", "kid": "h", "k": "c2VjcmV0"}, "not EC or RSA"),
        ({"kty": "OKP", "kid": "ed", "crv": "Ed25519", "x": "AAAA"}, "not EC or RSA"),
        ({**ec_signer().public_jwk(), "use": "enc"}, "use is not 'sig'"),
        ({**ec_signer().public_jwk(), "key_ops": ["encrypt"]}, "key_ops"),
        ({**ec_signer().public_jwk(), "alg": "HS256"}, "not a supported"),
        ({**ec_signer().public_jwk(), "alg": "ES256"}, "does not match the curve"),
        ({**rsa_signer().public_jwk(), "alg": "ES384"}, "does not match the RSA key"),
        ({**ec_signer().public_jwk(), "x": "AAAA"}, "does not parse"),
        (rsa_signer("small", bits=1024).public_jwk(), "shorter than 2048"),
        ({k: v for k, v in ec_signer().public_jwk().items() if k != "kid"}, "'kid' is a required"),
        ({**ec_signer().public_jwk(), "kid": ""}, "no usable kid"),
    ],
)
def test_unusable_pinned_keys_rejected(tmp_path: Path, jwk: dict[str, Any], message: str) -> None:
    path = write(tmp_path, [entry(jku=None, jwks={"keys": [jwk]})])
    with pytest.raises(ConfigurationError, match=message):
        load_trusted_clients(path)


def test_duplicate_kid_in_pinned_set_rejected(tmp_path: Path) -> None:
    a = ec_signer("a").public_jwk()
    b = ec_signer("b").public_jwk(kid="a")
    path = write(tmp_path, [entry(jku=None, jwks={"keys": [a, b]})])
    with pytest.raises(ConfigurationError, match="duplicate kid"):
        load_trusted_clients(path)


def test_parse_jwk_set_drops_every_key_sharing_a_kid() -> None:
    a = ec_signer("a").public_jwk()
    b = ec_signer("b").public_jwk(kid="a")
    c = ec_signer("c").public_jwk()
    keys, problems = parse_jwk_set({"keys": [a, b, c, {**a}]})
    assert list(keys) == ["c"]
    assert len(problems) == 2


def test_sandbox_issuer_logs_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="her2cds.auth")
    path = write(
        tmp_path,
        [entry(iss="https://sandbox.cds-hooks.org", jku=None, jwks=ec_signer().jwks())],
    )
    load_trusted_clients(path)
    assert "signing key is public" in caplog.text
