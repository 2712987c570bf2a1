"""Test keys and JWT builders for the auth tests (keys generated with `cryptography`).

`raw_token` assembles a compact JWS from any header and payload, signed by PyJWT's algorithm
objects, so tests control every header member (including lying about ``alg``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm, get_default_algorithms

ISS = "https://ehr.example.org"
AUD = "https://cds.example.org/cds-services/her2-order-select"
TENANT = "hospital-a"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Signer:
    kid: str
    alg: str
    private_key: PrivateKey

    def public_jwk(self, **extra: Any) -> dict[str, Any]:
        public = self.private_key.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        jwk.update({"kid": self.kid, "use": "sig", "alg": self.alg})
        jwk.update(extra)
        return {k: v for k, v in jwk.items() if v is not None}

    def jwks(self, **extra: Any) -> dict[str, Any]:
        return {"keys": [self.public_jwk(**extra)]}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def with_kid(self, kid: str) -> Signer:
        return Signer(kid=kid, alg=self.alg, private_key=self.private_key)


@cache
def _ec_private(name: str, curve_name: str) -> ec.EllipticCurvePrivateKey:
    curve = {"P-256": ec.SECP256R1(), "P-384": ec.SECP384R1(), "P-521": ec.SECP521R1()}[curve_name]
    return ec.generate_private_key(curve)


@cache
def _rsa_private(name: str, bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def ec_signer(name: str = "ec-1", *, curve: str = "P-384", alg: str = "ES384") -> Signer:
    """An EC signer (cached per name, so the same name gives the same key)."""
    return Signer(kid=name, alg=alg, private_key=_ec_private(name, curve))


def rsa_signer(name: str = "rsa-1", *, bits: int = 3072, alg: str = "RS384") -> Signer:
    return Signer(kid=name, alg=alg, private_key=_rsa_private(name, bits))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _json(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode("utf-8")


def raw_token(
    header: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    signer: Signer | None = None,
    sign_alg: str | None = None,
    hmac_secret: bytes | None = None,
) -> str:
    """header.payload.signature, signed with `signer` using `sign_alg` (default signer.alg), or
    HMAC-SHA256 over `hmac_secret`, or unsigned (empty signature) when neither is given."""
    signing_input = f"{b64url(_json(header))}.{b64url(_json(payload))}"
    if hmac_secret is not None:
        signature = hmac.new(hmac_secret, signing_input.encode("ascii"), hashlib.sha256).digest()
    elif signer is not None:
        algorithm = get_default_algorithms()[sign_alg or signer.alg]
        signature = algorithm.sign(
            signing_input.encode("ascii"), algorithm.prepare_key(signer.private_key)
        )
    else:
        signature = b""
    return f"{signing_input}.{b64url(signature)}"


_DROP = object()


def claims(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    """Valid CDS Hooks JWT claims; pass ``name=DROP`` to leave a claim out."""
    issued = int(time.time() if now is None else now)
    values: dict[str, Any] = {
        "iss": ISS,
        "aud": AUD,
        "iat": issued,
        "exp": issued + 300,
        "jti": str(uuid.uuid4()),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not _DROP}


def header(signer: Signer, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {"alg": signer.alg, "typ": "JWT", "kid": signer.kid}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not _DROP}


def make_token(
    signer: Signer,
    *,
    now: float | None = None,
    header_overrides: Mapping[str, Any] | None = None,
    **claim_overrides: Any,
) -> str:
    return raw_token(
        header(signer, **(header_overrides or {})), claims(now, **claim_overrides), signer=signer
    )


DROP: Any = _DROP


class FakeClock:
    """An injectable `time.time` replacement."""

    def __init__(self, start: float | None = None) -> None:
        self.now = float(int(time.time()) if start is None else start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
