"""JwtVerifier with pinned keys: valid tokens, every rejection rule, and the classic attacks."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from cds_service.auth import AuthenticatedClient, AuthenticationError, JwtVerifier
from cds_service.replay_cache import MemoryReplayCache, ReplayCacheUnavailable
from cds_service.trusted_clients import ConfigurationError, TrustedClient, load_trusted_clients
from tests.unit.security.tokens import (
    AUD,
    DROP,
    ISS,
    TENANT,
    FakeClock,
    Signer,
    b64url,
    claims,
    ec_signer,
    header,
    make_token,
    raw_token,
    rsa_signer,
)

FHIR = "https://ehr.example.org/fhir/r4"


def pinned(*signers: Signer, iss: str = ISS, **kwargs: Any) -> TrustedClient:
    kwargs.setdefault("fhir_servers", (FHIR,))
    return TrustedClient(iss=iss, jwks={"keys": [s.public_jwk() for s in signers]}, **kwargs)


def make_verifier(*clients: TrustedClient, **kwargs: Any) -> JwtVerifier:
    kwargs.setdefault("replay_cache", MemoryReplayCache())
    return JwtVerifier(clients, **kwargs)


def bearer(token: str) -> str:
    return f"Bearer {token}"


def reason_for(verifier: JwtVerifier, authorization: str | None, audience: str = AUD) -> str:
    with pytest.raises(AuthenticationError) as info:
        verifier.verify(authorization, audience)
    return info.value.reason


class RecordingCache:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []
        self._inner = MemoryReplayCache()

    def first_use(self, key: str, ttl_seconds: int) -> bool:
        self.calls.append((key, ttl_seconds))
        return self._inner.first_use(key, ttl_seconds)


class BrokenCache:
    def first_use(self, key: str, ttl_seconds: int) -> bool:
        raise ReplayCacheUnavailable("down")


# -- valid tokens ----------------------------------------------------------------------------


def test_es384_inline_key_accepted() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    token = make_token(signer, jti="jti-es384")
    client = verifier.verify(bearer(token), AUD)
    assert client == AuthenticatedClient(
        iss=ISS, tenant=None, jti="jti-es384", fhir_servers=(FHIR,)
    )


def test_rs384_inline_rsa3072_key_accepted() -> None:
    signer = rsa_signer()
    verifier = make_verifier(pinned(signer))
    assert verifier.verify(bearer(make_token(signer)), AUD).iss == ISS


def test_rsa_jwk_without_alg_accepts_rs384() -> None:
    signer = rsa_signer()
    client = TrustedClient(iss=ISS, jwks={"keys": [signer.public_jwk(alg=None)]})
    assert make_verifier(client).verify(bearer(make_token(signer)), AUD).iss == ISS


def test_jwks_file_client_from_config_accepted(tmp_path: Any) -> None:
    signer = ec_signer()
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "ehr.json").write_text(json.dumps(signer.jwks()))
    config = tmp_path / "clients.json"
    config.write_text(
        json.dumps([{"iss": ISS, "jwks_file": "keys/ehr.json", "fhir_servers": [FHIR]}])
    )
    verifier = make_verifier(*load_trusted_clients(config))
    assert verifier.verify(bearer(make_token(signer)), AUD).fhir_servers == (FHIR,)


def test_inline_jwks_client_from_config_accepted(tmp_path: Any) -> None:
    signer = rsa_signer()
    config = tmp_path / "clients.json"
    config.write_text(json.dumps([{"iss": ISS, "jwks": signer.jwks(), "fhir_servers": []}]))
    verifier = make_verifier(*load_trusted_clients(config))
    assert verifier.verify(bearer(make_token(signer)), AUD).fhir_servers == ()


@pytest.mark.parametrize("typ", ["JWT", "jwt", "Jwt", "application/jwt", "application/JWT"])
def test_typ_is_case_insensitive(typ: str) -> None:
    signer = ec_signer()
    token = make_token(signer, header_overrides={"typ": typ})
    make_verifier(pinned(signer)).verify(bearer(token), AUD)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_bearer_scheme_is_case_insensitive(scheme: str) -> None:
    signer = ec_signer()
    make_verifier(pinned(signer)).verify(f"{scheme} {make_token(signer)}", AUD)


def test_aud_array_containing_the_endpoint_accepted() -> None:
    signer = ec_signer()
    token = make_token(signer, aud=["https://other.example/x", AUD])
    make_verifier(pinned(signer)).verify(bearer(token), AUD)


def test_extra_claims_sub_and_nbf_tolerated() -> None:
    signer = ec_signer()
    now = int(time.time())
    token = make_token(signer, sub="client-id", nbf=now - 5, now=now)
    make_verifier(pinned(signer)).verify(bearer(token), AUD)


def test_times_within_leeway_accepted() -> None:
    signer = ec_signer()
    clock = FakeClock()
    verifier = make_verifier(pinned(signer), clock=clock, leeway_seconds=30)
    # exp 20 s ago and iat 20 s ahead are both inside a 30 s leeway.
    token = make_token(signer, iat=int(clock.now) + 20, exp=int(clock.now) - 20)
    with pytest.raises(AuthenticationError, match="exp before iat"):
        verifier.verify(bearer(token), AUD)
    verifier.verify(
        bearer(make_token(signer, iat=int(clock.now) - 100, exp=int(clock.now) - 20)), AUD
    )
    verifier.verify(
        bearer(make_token(signer, iat=int(clock.now) + 20, exp=int(clock.now) + 300)), AUD
    )


def test_es256_and_rs256_only_when_configured() -> None:
    es256 = ec_signer("p256", curve="P-256", alg="ES256")
    rs256 = rsa_signer("rsa-256", bits=2048, alg="RS256")
    client = pinned(es256, rs256)
    default = make_verifier(client)
    assert reason_for(default, bearer(make_token(es256))) == "alg not allowed"
    assert reason_for(default, bearer(make_token(rs256))) == "alg not allowed"
    opted_in = make_verifier(client, allowed_algorithms=("ES256", "RS256", "ES384", "RS384"))
    opted_in.verify(bearer(make_token(es256)), AUD)
    opted_in.verify(bearer(make_token(rs256)), AUD)


def test_tenant_entries_select_client_and_require_the_claim() -> None:
    a = ec_signer("tenant-a")
    b = ec_signer("tenant-b")
    verifier = make_verifier(
        pinned(a, tenant=TENANT, fhir_servers=("https://a.example/fhir",)),
        pinned(b, tenant="hospital-b", fhir_servers=("https://b.example/fhir",)),
    )
    client = verifier.verify(bearer(make_token(a, tenant=TENANT)), AUD)
    assert (client.tenant, client.fhir_servers) == (TENANT, ("https://a.example/fhir",))
    assert reason_for(verifier, bearer(make_token(a))) == "tenant claim required for this iss"
    assert (
        reason_for(verifier, bearer(make_token(a, tenant="hospital-c")))
        == "tenant not allowed for this iss"
    )
    # Tenant b's entry does not hold tenant a's key.
    assert reason_for(verifier, bearer(make_token(a, tenant="hospital-b"))) == "unknown kid"
    assert reason_for(verifier, bearer(make_token(a, tenant=["x"]))) == "invalid tenant claim"


def test_tenantless_entry_reports_the_signed_tenant_claim() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    assert verifier.verify(bearer(make_token(signer, tenant="t-1")), AUD).tenant == "t-1"
    assert verifier.verify(bearer(make_token(signer)), AUD).tenant is None


# -- malformed input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorization", "reason"),
    [
        (None, "no Authorization header"),
        ("", "not a Bearer Authorization header"),
        ("Basic dXNlcjpwdw==", "not a Bearer Authorization header"),
        ("Bearer", "malformed token"),
        ("Bearer ", "malformed token"),
        ("Bearer abc", "malformed token"),
        ("Bearer a.b", "malformed token"),
        ("Bearer a.b.c.d", "malformed token"),
        ("Bearer a.b.", "malformed token"),
        ("Bearer a b.c.d", "malformed token"),
        ("Bearer e30.e30.e30", "alg not allowed"),
        ("Bearer !!!.e30.e30", "malformed token"),
        ("Bearer " + "a" * 20000 + ".b.c", "token too long"),
        ("Bearer eyJhbGciOiJFUzM4NCJ9.bm90IGpzb24.c2ln", "malformed token"),
    ],
)
def test_malformed_authorization_rejected(authorization: str | None, reason: str) -> None:
    assert reason_for(make_verifier(pinned(ec_signer())), authorization) == reason


def test_payload_that_is_not_json_rejected() -> None:
    signer = ec_signer()
    head = b64url(json.dumps(header(signer)).encode())
    token = f"{head}.{b64url(b'not json')}.c2ln"
    assert reason_for(make_verifier(pinned(signer)), bearer(token)) == "malformed token"


# -- the algorithm attacks -------------------------------------------------------------------


def test_alg_none_rejected() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    unsigned = raw_token(header(signer, alg="none"), claims())
    assert reason_for(verifier, bearer(unsigned)) == "malformed token"  # empty signature
    with_sig = unsigned + "c2ln"
    assert reason_for(verifier, bearer(with_sig)) == "alg not allowed"
    for spelling in ("None", "NONE", "nOnE"):
        token = raw_token(header(signer, alg=spelling), claims()) + "c2ln"
        assert reason_for(verifier, bearer(token)) == "alg not allowed"


@pytest.mark.parametrize("signer", [ec_signer(), rsa_signer()], ids=["ec", "rsa"])
def test_hs256_signed_with_the_public_key_pem_rejected(signer: Signer) -> None:
    """The key-confusion attack: HMAC keyed with the verifier's own public key."""
    verifier = make_verifier(pinned(signer))
    pem = signer.public_pem()
    for secret in (pem, pem.strip(), pem.decode().replace("\n", "").encode()):
        forged = raw_token(header(signer, alg="HS256"), claims(), hmac_secret=secret)
        assert reason_for(verifier, bearer(forged)) == "alg not allowed"


@pytest.mark.parametrize("signer", [ec_signer(), rsa_signer()], ids=["ec", "rsa"])
def test_hs256_signed_with_the_public_jwk_rejected(signer: Signer) -> None:
    verifier = make_verifier(pinned(signer))
    jwk = signer.public_jwk()
    for secret in (
        json.dumps(jwk).encode(),
        json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode(),
        json.dumps({"keys": [jwk]}).encode(),
        (jwk.get("x") or jwk["n"]).encode(),
    ):
        forged = raw_token(header(signer, alg="HS256"), claims(), hmac_secret=secret)
        assert reason_for(verifier, bearer(forged)) == "alg not allowed"


def test_hmac_key_confusion_rejected_even_with_every_asymmetric_alg_allowed() -> None:
    signer = rsa_signer()
    verifier = make_verifier(
        pinned(signer), allowed_algorithms=("RS256", "RS384", "RS512", "ES384", "PS384")
    )
    for alg in ("HS256", "HS384", "HS512", "hs256"):
        forged = raw_token(header(signer, alg=alg), claims(), hmac_secret=signer.public_pem())
        assert reason_for(verifier, bearer(forged)) == "alg not allowed"


@pytest.mark.parametrize("alg", ["none", "None", "HS256", "HS384", "HS512", "hs256", "XX1", ""])
def test_forbidden_algorithms_cannot_be_configured(alg: str) -> None:
    with pytest.raises(ConfigurationError):
        make_verifier(pinned(ec_signer()), allowed_algorithms=("ES384", alg))


def test_empty_or_string_algorithm_list_cannot_be_configured() -> None:
    with pytest.raises(ConfigurationError):
        make_verifier(pinned(ec_signer()), allowed_algorithms=())
    with pytest.raises(ConfigurationError):
        make_verifier(pinned(ec_signer()), allowed_algorithms="ES384")


def test_alg_must_fit_the_key_type() -> None:
    ec_key = ec_signer()
    rsa_key = rsa_signer()
    p256 = ec_signer("p256", curve="P-256", alg="ES256")
    verifier = make_verifier(
        pinned(ec_key, rsa_key, p256), allowed_algorithms=("ES256", "ES384", "RS384", "PS384")
    )
    # RS384 header naming the EC key, and ES384 naming the RSA key / the P-256 key.
    rs_on_ec = raw_token(header(ec_key, alg="RS384"), claims(), signer=rsa_key)
    es_on_rsa = raw_token(header(rsa_key, alg="ES384"), claims(), signer=ec_key)
    es384_on_p256 = raw_token(header(p256, alg="ES384"), claims(), signer=ec_key)
    for token in (rs_on_ec, es_on_rsa, es384_on_p256):
        assert reason_for(verifier, bearer(token)) == "alg does not match the key"
    # The JWK pins RS384; a PS384 token for that kid is refused although PS384 is allowed.
    ps_on_rs384_key = raw_token(header(rsa_key, alg="PS384"), claims(), signer=rsa_key)
    assert reason_for(verifier, bearer(ps_on_rs384_key)) == "alg does not match the key"


# -- header rules ----------------------------------------------------------------------------


def test_missing_kid_rejected() -> None:
    signer = ec_signer()
    token = make_token(signer, header_overrides={"kid": DROP})
    assert reason_for(make_verifier(pinned(signer)), bearer(token)) == "missing kid"


def test_unknown_kid_rejected() -> None:
    signer = ec_signer()
    token = make_token(signer.with_kid("not-configured"))
    assert reason_for(make_verifier(pinned(signer)), bearer(token)) == "unknown kid"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"typ": DROP}, "missing typ"),
        ({"typ": "JOSE"}, "typ is not JWT"),
        ({"typ": "at+jwt"}, "typ is not JWT"),
        ({"typ": 1}, "typ is not JWT"),
        ({"kid": ""}, "invalid kid"),
        ({"kid": "x" * 300}, "invalid kid"),
        ({"kid": "bad\nkid"}, "invalid kid"),
        ({"crit": ["exp"]}, "malformed token"),
        ({"crit": ["b64"], "b64": True}, "critical header extensions are not supported"),
        ({"jku": 5}, "invalid jku"),
        ({"alg": ["ES384"]}, "alg not allowed"),
    ],
)
def test_header_rules(overrides: dict[str, Any], reason: str) -> None:
    signer = ec_signer()
    token = make_token(signer, header_overrides=overrides)
    assert reason_for(make_verifier(pinned(signer)), bearer(token)) == reason


def test_jku_header_on_pinned_client_without_configured_jku_rejected() -> None:
    signer = ec_signer()
    token = make_token(signer, header_overrides={"jku": "https://evil.example/jwks.json"})
    assert (
        reason_for(make_verifier(pinned(signer)), bearer(token)) == "jku not allowed for this iss"
    )


def test_pinned_client_accepts_only_its_configured_jku_header() -> None:
    signer = ec_signer()
    jku = "https://ehr.example.org/.well-known/jwks.json"
    verifier = make_verifier(pinned(signer, jku=jku))
    verifier.verify(bearer(make_token(signer, header_overrides={"jku": jku})), AUD)
    verifier.verify(bearer(make_token(signer)), AUD)
    for other in (jku + "?", jku.upper(), "https://ehr.example.org/.well-known/jwks.json/", ""):
        token = make_token(signer, header_overrides={"jku": other})
        assert reason_for(verifier, bearer(token)) == "jku not allowed for this iss"


# -- claims ----------------------------------------------------------------------------------


def test_untrusted_iss_rejected() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    assert reason_for(verifier, bearer(make_token(signer, iss="https://evil.example"))) == (
        "untrusted iss"
    )
    assert reason_for(verifier, bearer(make_token(signer, iss=ISS + "/"))) == "untrusted iss"
    assert reason_for(verifier, bearer(make_token(signer, iss=DROP))) == "missing iss"
    assert reason_for(verifier, bearer(make_token(signer, iss=["x"]))) == "missing iss"


def test_key_of_another_trusted_client_does_not_verify_for_this_iss() -> None:
    ours = ec_signer("shared-kid")
    theirs = ec_signer("other-client").with_kid("shared-kid")
    verifier = make_verifier(pinned(ours), pinned(theirs, iss="https://other.example"))
    token = make_token(theirs, iss=ISS)  # the other client claims to be us
    assert reason_for(verifier, bearer(token)) == "bad signature"


@pytest.mark.parametrize(
    "aud",
    [
        "https://cds.example.org/cds-services/other",
        AUD + "/",
        AUD + "/feedback",
        AUD.upper(),
        ["https://cds.example.org/cds-services"],
        [],
        DROP,
    ],
)
def test_wrong_aud_rejected(aud: Any) -> None:
    signer = ec_signer()
    reason = reason_for(make_verifier(pinned(signer)), bearer(make_token(signer, aud=aud)))
    assert reason in ("wrong aud", "missing aud")


def test_feedback_and_discovery_audiences_are_distinct() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    token = make_token(signer, aud=AUD + "/feedback")
    verifier.verify(bearer(token), AUD + "/feedback")
    other = make_token(signer, aud=AUD)
    assert reason_for(verifier, bearer(other), AUD + "/feedback") == "wrong aud"


def test_expired_token_rejected() -> None:
    signer = ec_signer()
    clock = FakeClock()
    verifier = make_verifier(pinned(signer), clock=clock, leeway_seconds=30)
    token = make_token(signer, iat=int(clock.now) - 400, exp=int(clock.now) - 31)
    assert reason_for(verifier, bearer(token)) == "token expired"


def test_expiry_follows_the_injected_clock() -> None:
    signer = ec_signer()
    clock = FakeClock()
    verifier = make_verifier(pinned(signer), clock=clock, leeway_seconds=0)
    token = make_token(signer, now=clock.now)
    clock.advance(301)
    assert reason_for(verifier, bearer(token)) == "token expired"


def test_future_iat_rejected() -> None:
    signer = ec_signer()
    clock = FakeClock()
    verifier = make_verifier(pinned(signer), clock=clock, leeway_seconds=30)
    token = make_token(signer, iat=int(clock.now) + 31, exp=int(clock.now) + 600)
    assert reason_for(verifier, bearer(token)) == "iat in the future"


def test_too_old_iat_rejected_even_if_exp_is_far() -> None:
    signer = ec_signer()
    clock = FakeClock()
    verifier = make_verifier(
        pinned(signer), clock=clock, leeway_seconds=30, max_token_age_seconds=3600
    )
    token = make_token(signer, iat=int(clock.now) - 3631, exp=int(clock.now) + 86400)
    assert reason_for(verifier, bearer(token)) == "token too old"
    fresh = make_token(signer, iat=int(clock.now) - 3600, exp=int(clock.now) + 86400)
    verifier.verify(bearer(fresh), AUD)


def test_future_nbf_rejected() -> None:
    signer = ec_signer()
    clock = FakeClock()
    verifier = make_verifier(pinned(signer), clock=clock)
    token = make_token(signer, now=clock.now, nbf=int(clock.now) + 120)
    assert reason_for(verifier, bearer(token)) == "token not yet valid"


@pytest.mark.parametrize("claim", ["jti", "exp", "iat"])
def test_missing_required_claim_rejected(claim: str) -> None:
    signer = ec_signer()
    token = make_token(signer, **{claim: DROP})
    assert reason_for(make_verifier(pinned(signer)), bearer(token)) == f"missing {claim}"


@pytest.mark.parametrize(
    ("claim", "value", "reason"),
    [
        ("exp", "9999999999", "exp is not a number"),
        ("exp", True, "exp is not a number"),
        ("iat", [1], "iat is not a number"),
        ("iat", 1e400, "iat is not a number"),  # JSON Infinity
        ("nbf", "0", "nbf is not a number"),
        ("jti", "", "invalid jti"),
        ("jti", "x" * 300, "invalid jti"),
        ("jti", "line\nbreak", "invalid jti"),
        ("jti", 12, "invalid token (InvalidJTIError)"),
    ],
)
def test_claim_types_checked(claim: str, value: Any, reason: str) -> None:
    signer = ec_signer()
    token = make_token(signer, **{claim: value})
    assert reason_for(make_verifier(pinned(signer)), bearer(token)) == reason


def test_bad_signature_rejected() -> None:
    signer = ec_signer()
    impostor = ec_signer("impostor").with_kid(signer.kid)
    verifier = make_verifier(pinned(signer))
    assert reason_for(verifier, bearer(make_token(impostor))) == "bad signature"


def test_tampered_payload_rejected() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    token = make_token(signer, aud="https://cds.example.org/cds-services/other")
    head, _, signature = token.split(".")
    forged_payload = b64url(json.dumps(claims()).encode())
    assert reason_for(verifier, bearer(f"{head}.{forged_payload}.{signature}")) == "bad signature"


# -- replay ----------------------------------------------------------------------------------


def test_replayed_jti_rejected() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer))
    token = make_token(signer)
    verifier.verify(bearer(token), AUD)
    assert reason_for(verifier, bearer(token)) == "replayed jti"
    # A new token reusing the jti (e.g. for another endpoint) is a replay too.
    jti = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "==="))["jti"]
    again = make_token(signer, jti=jti, aud=AUD + "/feedback")
    assert reason_for(verifier, bearer(again), AUD + "/feedback") == "replayed jti"


def test_same_jti_from_two_issuers_is_not_a_replay() -> None:
    ours = ec_signer()
    other = ec_signer("other")
    verifier = make_verifier(pinned(ours), pinned(other, iss="https://other.example"))
    verifier.verify(bearer(make_token(ours, jti="same")), AUD)
    verifier.verify(bearer(make_token(other, iss="https://other.example", jti="same")), AUD)


def test_replay_ttl_is_remaining_lifetime_plus_leeway_capped_by_max_age() -> None:
    signer = ec_signer()
    clock = FakeClock()
    cache = RecordingCache()
    verifier = make_verifier(
        pinned(signer),
        replay_cache=cache,
        clock=clock,
        leeway_seconds=30,
        max_token_age_seconds=3600,
    )
    now = int(clock.now)
    verifier.verify(bearer(make_token(signer, iat=now - 100, exp=now + 200)), AUD)
    verifier.verify(bearer(make_token(signer, iat=now - 100, exp=now + 10**9)), AUD)
    assert [ttl for _key, ttl in cache.calls] == [230, 3600 - 100 + 30]
    keys = [key for key, _ttl in cache.calls]
    assert all(len(key) == 64 and key.isalnum() for key in keys)  # hashed, no raw jti


def test_rejected_tokens_never_reach_the_replay_cache() -> None:
    signer = ec_signer()
    cache = RecordingCache()
    verifier = make_verifier(pinned(signer), replay_cache=cache)
    impostor = ec_signer("impostor").with_kid(signer.kid)
    for token in (
        make_token(impostor),
        make_token(signer, aud="https://wrong.example"),
        make_token(signer, exp=int(time.time()) - 3600),
    ):
        with pytest.raises(AuthenticationError):
            verifier.verify(bearer(token), AUD)
    assert cache.calls == []


def test_replay_cache_failure_passes_through_fail_closed() -> None:
    signer = ec_signer()
    verifier = make_verifier(pinned(signer), replay_cache=BrokenCache())
    with pytest.raises(ReplayCacheUnavailable):
        verifier.verify(bearer(make_token(signer)), AUD)


# -- construction ----------------------------------------------------------------------------


def test_constructor_refuses_unusable_configuration() -> None:
    signer = ec_signer()
    with pytest.raises(ConfigurationError):
        make_verifier()
    with pytest.raises(ConfigurationError, match="https"):
        make_verifier(TrustedClient(iss=ISS, jku="http://ehr.example.org/jwks.json"))
    with pytest.raises(ConfigurationError, match="duplicate"):
        make_verifier(pinned(signer), pinned(signer))
    with pytest.raises(ConfigurationError, match="without tenant"):
        make_verifier(pinned(signer), pinned(signer, tenant="t"))
    with pytest.raises(ConfigurationError, match="private key"):
        make_verifier(TrustedClient(iss=ISS, jwks={"keys": [{**signer.public_jwk(), "d": "AA"}]}))
    with pytest.raises(ConfigurationError, match="EC or RSA"):
        make_verifier(
            TrustedClient(iss=ISS, jwks={"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]})
        )
    with pytest.raises(ConfigurationError):
        make_verifier(pinned(signer), leeway_seconds=-1)
    with pytest.raises(ConfigurationError):
        make_verifier(pinned(signer), max_token_age_seconds=0)


def test_trusted_client_requires_a_key_source_and_is_immutable() -> None:
    with pytest.raises(ConfigurationError):
        TrustedClient(iss=ISS)
    client = pinned(ec_signer())
    assert client.jwks is not None
    with pytest.raises(TypeError):
        client.jwks["keys"] = []  # type: ignore[index]
    assert hash(client) == hash(pinned(ec_signer()))
    assert not client.fetches_keys


def test_audience_must_be_given() -> None:
    verifier = make_verifier(pinned(ec_signer()))
    with pytest.raises(ValueError, match="audience"):
        verifier.verify(bearer(make_token(ec_signer())), "")
