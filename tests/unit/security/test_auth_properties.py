"""Property tests: whatever arrives in the Authorization header, `verify` either returns an
AuthenticatedClient or raises AuthenticationError with a short, token-free reason."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import requests
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from cds_service.auth import AuthenticatedClient, AuthenticationError, JwtVerifier
from cds_service.replay_cache import MemoryReplayCache
from cds_service.trusted_clients import TrustedClient
from tests.unit.security.tokens import AUD, ISS, FakeClock, ec_signer, make_token, raw_token

NOW = 1_700_000_000
SIGNER = ec_signer("property-key")
RSA_KID = "rsa-kid"
JKU_ISS = "https://jku-client.example"
_session = requests.Session()
_session.trust_env = False
CLIENTS = (
    TrustedClient(iss=ISS, jwks=SIGNER.jwks(), fhir_servers=("https://ehr.example/fhir",)),
    # Nothing listens on port 9: exercises the (failing, rate-limited) fetch path.
    TrustedClient(iss=JKU_ISS, jku="https://127.0.0.1:9/jwks.json"),
)


def fresh_verifier() -> JwtVerifier:
    """A verifier with an empty replay cache, so Hypothesis re-runs of an example agree."""
    return JwtVerifier(
        CLIENTS,
        replay_cache=MemoryReplayCache(),
        clock=FakeClock(NOW),
        session=_session,
        http_timeout_seconds=0.5,
    )


REASON = re.compile(r"[A-Za-z][A-Za-z0-9 ()_-]{0,79}")
PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=6,
)


def outcome(authorization: str | None) -> AuthenticatedClient | AuthenticationError:
    try:
        client = fresh_verifier().verify(authorization, AUD)
    except AuthenticationError as exc:
        assert REASON.fullmatch(exc.reason), exc.reason
        assert not exc.reason.startswith("unexpected"), exc.reason  # an unhandled path
        event(exc.reason)
        return exc
    event("accepted")
    return client


@PROPERTY_SETTINGS
@given(st.one_of(st.none(), st.text(), st.binary().map(lambda b: b.decode("latin-1"))))
def test_arbitrary_header_values(value: str | None) -> None:
    assert isinstance(outcome(value), AuthenticationError)


segment = st.from_regex(r"[A-Za-z0-9_\-]{0,60}", fullmatch=True)


@PROPERTY_SETTINGS
@given(st.lists(segment, min_size=1, max_size=5), st.sampled_from(["Bearer ", "bearer  ", ""]))
def test_random_base64url_segments(segments: list[str], scheme: str) -> None:
    assert isinstance(outcome(scheme + ".".join(segments)), AuthenticationError)


def b64json(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


@PROPERTY_SETTINGS
@given(json_values, json_values, segment)
def test_arbitrary_json_header_and_payload_unsigned(header: Any, payload: Any, sig: str) -> None:
    result = outcome(f"Bearer {b64json(header)}.{b64json(payload)}.{sig}")
    assert isinstance(result, AuthenticationError)


def decoded_parts(token: str) -> list[bytes] | None:
    try:
        return [base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)) for p in token.split(".")]
    except ValueError:
        return None


@PROPERTY_SETTINGS
@given(
    st.sampled_from(["replace", "truncate", "insert", "delete", "swap"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from(list("ABCxyz019-_.=+/ ")),
    st.uuids(),
)
def test_mutated_valid_tokens(kind: str, position: int, char: str, jti: Any) -> None:
    token = make_token(SIGNER, now=NOW, jti=str(jti))
    i = position % len(token)
    if kind == "replace":
        mutated = token[:i] + char + token[i + 1 :]
    elif kind == "truncate":
        mutated = token[:i]
    elif kind == "insert":
        mutated = token[:i] + char + token[i:]
    elif kind == "delete":
        mutated = token[:i] + token[i + 1 :]
    else:
        head, body, sig = token.split(".")
        mutated = f"{body}.{head}.{sig}"
    assume(mutated != token)
    result = outcome(f"Bearer {mutated}")
    if isinstance(result, AuthenticatedClient):
        # Only base64 padding-bit malleability can survive: the bytes must be the original's.
        assert decoded_parts(mutated) == decoded_parts(token)


HEADER_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "alg": st.sampled_from(["RS384", "ES256", "HS256", "none", "PS384", "es384"]) | json_values,
    "typ": st.sampled_from(["jwt", "JOSE", "application/jwt"]) | json_values,
    "kid": st.sampled_from([RSA_KID, "other", ""]) | json_values,
    "jku": st.sampled_from(["https://127.0.0.1:9/jwks.json"]) | json_values,
    "crit": json_values,
    "b64": json_values,
    "jwk": st.just(SIGNER.public_jwk()) | json_values,
}
TIMES = st.sampled_from([NOW, NOW - 10, NOW + 300, NOW - 4000, NOW + 4000, 2**63]) | json_values
PAYLOAD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "iss": st.sampled_from([JKU_ISS, "https://evil.example", ISS + "/"]) | json_values,
    "aud": st.sampled_from([[AUD], ["x", AUD], "x", AUD + "/"]) | json_values,
    "exp": TIMES,
    "iat": TIMES,
    "nbf": TIMES,
    "jti": json_values,
    "tenant": json_values,
    "sub": json_values,
}
DROP = object()


def perturbation(values: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """Up to three members replaced by other values or dropped."""
    member = st.sampled_from(sorted(values)).flatmap(
        lambda name: st.tuples(st.just(name), values[name] | st.just(DROP))
    )
    return st.lists(member, max_size=3).map(dict)


def apply(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **changes}
    return {k: v for k, v in merged.items() if v is not DROP}


@PROPERTY_SETTINGS
@given(perturbation(HEADER_VALUES), perturbation(PAYLOAD_VALUES), st.uuids())
def test_signed_tokens_with_perturbed_members(
    header_changes: dict[str, Any], payload_changes: dict[str, Any], jti: Any
) -> None:
    header = apply({"alg": "ES384", "typ": "JWT", "kid": SIGNER.kid}, header_changes)
    base_payload = {"iss": ISS, "aud": AUD, "iat": NOW, "exp": NOW + 300, "jti": str(jti)}
    payload = apply(base_payload, payload_changes)
    token = raw_token(header, payload, signer=SIGNER, sign_alg="ES384")
    result = outcome(f"Bearer {token}")
    if isinstance(result, AuthenticatedClient):
        # Acceptance implies every rule held.
        assert header["alg"] == "ES384" and header["kid"] == SIGNER.kid
        assert isinstance(header["typ"], str)
        assert header["typ"].lower() in ("jwt", "application/jwt")
        assert "crit" not in header and "b64" not in header
        assert header.get("jku") is None
        assert payload["iss"] == ISS == result.iss
        assert payload["aud"] == AUD or (isinstance(payload["aud"], list) and AUD in payload["aud"])
        assert payload["exp"] > NOW - 30 and payload["iat"] <= NOW + 30
        assert payload["iat"] >= NOW - 3600 - 30
        assert result.jti == payload["jti"]
