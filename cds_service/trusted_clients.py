"""The CDS clients (JWT issuers) the service trusts, their keys and their FHIR servers.

The file named by ``HER2CDS_TRUSTED_CLIENTS`` is a JSON list, validated against
``cds_service/schemas/trusted_clients.schema.json``::

    [
      {"iss": "https://ehr.example.org", "jku": "https://ehr.example.org/.well-known/jwks.json",
       "tenant": "hospital-a", "fhir_servers": ["https://ehr.example.org/fhir/r4"]},
      {"iss": "https://other.example", "jwks": {"keys": [{"kty": "EC", "kid": "k1", ...}]},
       "fhir_servers": []},
      {"iss": "https://sandbox.cds-hooks.org", "jwks_file": "cds-hooks-sandbox/jwks.json",
       "jku": "https://sandbox.cds-hooks.org/.well-known/jwks.json",
       "fhir_servers": ["http://127.0.0.1:8080/fhir"]}
    ]

Key sources. ``jku`` alone: the verifier fetches that https JWK Set (and only that URL; a token
naming any other ``jku`` is refused). ``jwks`` (inline) or ``jwks_file`` (path relative to the
JSON file, read here): the keys are pinned and nothing is ever fetched. A pinned-key entry may
*also* give ``jku``: the URL its tokens carry in their header, accepted but never fetched. This
is how the CDS Hooks sandbox is trusted offline: its tokens always name
``https://sandbox.cds-hooks.org/.well-known/jwks.json``. Without ``jku`` on a pinned-key entry,
any token with a ``jku`` header is refused. (So "exactly one key source" holds for the *keys*:
``jku`` alone, or ``jwks`` / ``jwks_file``, never both of the last two.)

Tenants. Either every entry of an ``iss`` has a ``tenant`` (tokens must carry one of them), or
the ``iss`` has exactly one entry without a tenant (any or no ``tenant`` claim is accepted).
Duplicate ``iss`` + ``tenant`` is an error.

Keys are checked here, not at the first request: public EC (P-256/384/521) or RSA (>= 2048
bits) signature keys with a unique ``kid``; symmetric (``oct``) keys and any private key
material are refused.

.. warning:: The CDS Hooks sandbox signs its tokens with a private key that is committed to its
   public repository, so anyone can mint a valid ``iss=https://sandbox.cds-hooks.org`` token.
   Trust that issuer only in development; `load_trusted_clients` logs a warning when it does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cds_service.fhir_server_policy import FhirServerRejected, normalise_base_url

__all__ = [
    "ENV_VAR",
    "PUBLIC_SANDBOX_ISS",
    "SUPPORTED_ALGORITHMS",
    "ConfigurationError",
    "TrustedClient",
    "VerificationKey",
    "load_trusted_clients",
    "parse_jwk_set",
    "validate_jku",
]

log = logging.getLogger("her2cds.auth")

ENV_VAR = "HER2CDS_TRUSTED_CLIENTS"
PUBLIC_SANDBOX_ISS = "https://sandbox.cds-hooks.org"
# Asymmetric JWS algorithms the service can verify. "none" and HMAC (HS*) are never supported:
# the spec forbids them and a public key must never serve as an HMAC secret.
EC_ALGORITHM_BY_CURVE = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
SUPPORTED_ALGORITHMS = frozenset(EC_ALGORITHM_BY_CURVE.values()) | RSA_ALGORITHMS
MIN_RSA_BITS = 2048
MAX_KID_LENGTH = 256
MAX_JWKS_FILE_BYTES = 1024 * 1024
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class ConfigurationError(ValueError):
    """The trusted-client configuration (or a verifier built from it) is unusable."""


def _thaw(value: Any) -> Any:
    """Plain dicts and lists from (possibly read-only) mappings and tuples."""
    if isinstance(value, Mapping):
        return {str(k): _thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_thaw(v) for v in value]
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


@dataclass(frozen=True)
class TrustedClient:
    """One trusted issuer (and tenant).

    `jku`: the only ``jku`` header value accepted; fetched when `jwks` is None. `jwks`: pinned
    JWK Set (read-only; from ``jwks`` or ``jwks_file``). `tenant`: required ``tenant`` claim, or
    None. `fhir_servers`: normalised FHIR base URLs the client may send as ``fhirServer``.
    """

    iss: str
    jku: str | None = None
    jwks: Mapping[str, Any] | None = field(default=None, hash=False)
    tenant: str | None = None
    fhir_servers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.iss, str) or not self.iss:
            raise ConfigurationError("TrustedClient.iss must be a non-empty string")
        if self.jku is None and self.jwks is None:
            raise ConfigurationError(f"trusted client {self.iss!r}: no jku and no jwks")
        if self.jwks is not None:
            object.__setattr__(self, "jwks", _freeze(self.jwks))
        object.__setattr__(self, "fhir_servers", tuple(self.fhir_servers))

    @property
    def fetches_keys(self) -> bool:
        """True when the verifier fetches keys from `jku` (no pinned `jwks`)."""
        return self.jwks is None


@dataclass(frozen=True)
class VerificationKey:
    """A usable public signature key from a JWK Set."""

    kid: str
    jwk: Mapping[str, Any] = field(hash=False)  # the JWK (public members only)
    algorithms: frozenset[str]  # JWS algorithms this key may verify

    def to_pyjwk(self, algorithm: str) -> jwt.PyJWK:
        if algorithm not in self.algorithms:
            raise ValueError("algorithm does not fit this key")
        return jwt.PyJWK(_thaw(self.jwk), algorithm=algorithm)


def _parse_jwk(jwk: object) -> VerificationKey:
    """One public signature JWK; raises ValueError with a short reason."""
    if not isinstance(jwk, Mapping):
        raise ValueError("key is not a JSON object")
    kid = jwk.get("kid")
    if not isinstance(kid, str) or not kid or len(kid) > MAX_KID_LENGTH or not kid.isprintable():
        raise ValueError("key has no usable kid")
    where = f"key {kid!r}"
    kty = jwk.get("kty")
    if kty not in ("EC", "RSA"):
        raise ValueError(f"{where}: key type is not EC or RSA")
    if _PRIVATE_MEMBERS & set(jwk):
        raise ValueError(f"{where}: contains private key material")
    use = jwk.get("use")
    if use is not None and use != "sig":
        raise ValueError(f"{where}: use is not 'sig'")
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list | tuple) or "verify" not in key_ops):
        raise ValueError(f"{where}: key_ops does not include 'verify'")
    alg = jwk.get("alg")
    if alg is not None and alg not in SUPPORTED_ALGORITHMS:
        raise ValueError(f"{where}: alg is not a supported asymmetric algorithm")
    if kty == "RSA" and alg is not None and alg not in RSA_ALGORITHMS:
        raise ValueError(f"{where}: alg does not match the RSA key")
    if kty == "EC" and alg is not None and alg in RSA_ALGORITHMS:
        raise ValueError(f"{where}: alg does not match the curve")
    plain = _thaw(jwk)
    try:
        public_key = jwt.PyJWK(plain).key
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise ValueError(f"{where}: does not parse as a public key") from None
    algorithms: frozenset[str]
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve_alg = EC_ALGORITHM_BY_CURVE.get(public_key.curve.name)
        if curve_alg is None:
            raise ValueError(f"{where}: unsupported curve")
        if alg is not None and alg != curve_alg:
            raise ValueError(f"{where}: alg does not match the curve")
        algorithms = frozenset({curve_alg})
    elif isinstance(public_key, rsa.RSAPublicKey):
        if public_key.key_size < MIN_RSA_BITS:
            raise ValueError(f"{where}: RSA key shorter than {MIN_RSA_BITS} bits")
        if alg is not None and alg not in RSA_ALGORITHMS:
            raise ValueError(f"{where}: alg does not match the RSA key")
        algorithms = frozenset({alg}) if alg is not None else RSA_ALGORITHMS
    else:
        raise ValueError(f"{where}: not a public EC or RSA key")
    return VerificationKey(kid=kid, jwk=_freeze(plain), algorithms=algorithms)


def parse_jwk_set(jwks: object) -> tuple[dict[str, VerificationKey], list[str]]:
    """Usable keys of a JWK Set by kid, and the reasons other keys were left out.

    Keys sharing a kid are all left out (the kid must pick exactly one key).
    """
    if not isinstance(jwks, Mapping) or not isinstance(jwks.get("keys"), list | tuple):
        return {}, ["not a JWK Set (no 'keys' array)"]
    keys: dict[str, VerificationKey] = {}
    problems: list[str] = []
    duplicated: set[str] = set()
    for index, jwk in enumerate(jwks["keys"]):
        try:
            key = _parse_jwk(jwk)
        except ValueError as exc:
            problems.append(f"keys[{index}]: {exc}")
            continue
        if key.kid in keys or key.kid in duplicated:
            duplicated.add(key.kid)
            keys.pop(key.kid, None)
            problems.append(f"keys[{index}]: duplicate kid {key.kid!r}")
            continue
        keys[key.kid] = key
    return keys, problems


def validate_jku(jku: object) -> str:
    """An https JWK Set URL with a host and no userinfo; raises ConfigurationError."""
    if not isinstance(jku, str) or not jku or not jku.isascii() or not jku.isprintable():
        raise ConfigurationError("jku must be a non-empty ASCII URL")
    try:
        parts = urlsplit(jku)
        _ = parts.port
    except ValueError:
        raise ConfigurationError(f"jku {jku!r} does not parse") from None
    if parts.scheme != "https" or not parts.hostname or " " in jku:
        raise ConfigurationError(f"jku {jku!r} must be an https URL")
    if "@" in parts.netloc:
        raise ConfigurationError(f"jku {jku!r} must not contain userinfo")
    if parts.fragment:
        raise ConfigurationError(f"jku {jku!r} must not have a fragment")
    return jku


@cache
def _schema() -> dict[str, Any]:
    text = (
        resources.files("cds_service")
        .joinpath("schemas/trusted_clients.schema.json")
        .read_text(encoding="utf-8")
    )
    schema: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _schema_error(path: Path, data: object) -> str | None:
    validator = jsonschema.Draft202012Validator(_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return None
    location = "/".join(str(p) for p in error.absolute_path) or "(top level)"
    message = error.message
    if error.validator in ("anyOf", "not") and len(error.absolute_path) == 1:
        message = (
            "needs a key source: jku, jwks or jwks_file (jwks and jwks_file exclude each other)"
        )
    elif len(message) > 300:
        message = message[:300] + "..."
    return f"{path}: client {location}: {message}" if error.absolute_path else f"{path}: {message}"


def _read_json(path: Path, what: str) -> Any:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_JWKS_FILE_BYTES + 1)
    except OSError as exc:
        raise ConfigurationError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(raw) > MAX_JWKS_FILE_BYTES:
        raise ConfigurationError(f"{what} {path} is larger than {MAX_JWKS_FILE_BYTES} bytes")
    try:
        return json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigurationError(f"{what} {path} is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ConfigurationError(
            f"{what} {path} is not valid JSON ({exc.msg}, line {exc.lineno})"
        ) from None


def _check_pinned_keys(jwks: object, where: str) -> None:
    keys, problems = parse_jwk_set(jwks)
    if problems:
        raise ConfigurationError(f"{where}: unusable JWK Set: {'; '.join(problems)}")
    if not keys:
        raise ConfigurationError(f"{where}: JWK Set has no keys")


def _fhir_servers(values: Iterable[str], where: str) -> tuple[str, ...]:
    servers: list[str] = []
    for value in values:
        try:
            normalised = normalise_base_url(value)
        except FhirServerRejected as exc:
            raise ConfigurationError(f"{where}: fhir_servers {value!r}: {exc.reason}") from None
        parts = urlsplit(normalised)
        if parts.scheme == "http" and (parts.hostname or "") not in _LOOPBACK_HOSTS:
            raise ConfigurationError(
                f"{where}: fhir_servers {value!r}: http is only allowed for loopback hosts"
            )
        if normalised not in servers:
            servers.append(normalised)
    return tuple(servers)


def check_client_set(clients: Iterable[TrustedClient]) -> None:
    """Duplicate iss+tenant, or an iss mixing tenant and tenant-less entries: ConfigurationError."""
    tenants_by_iss: dict[str, list[str | None]] = {}
    for client in clients:
        tenants = tenants_by_iss.setdefault(client.iss, [])
        if client.tenant in tenants:
            tenant = "no tenant" if client.tenant is None else f"tenant {client.tenant!r}"
            raise ConfigurationError(f"duplicate trusted client: iss {client.iss!r} with {tenant}")
        tenants.append(client.tenant)
    for iss, tenants in tenants_by_iss.items():
        if None in tenants and len(tenants) > 1:
            raise ConfigurationError(
                f"iss {iss!r}: an entry without tenant cannot be combined with tenant entries"
            )


def load_trusted_clients(path: Path, *, warn: bool = True) -> tuple[TrustedClient, ...]:
    """Read, validate and return the trusted clients; raise ConfigurationError on any problem.
    `warn=False` leaves out the public-sandbox warning (already said by the serving master)."""
    path = Path(path)
    data = _read_json(path, "trusted clients file")
    problem = _schema_error(path, data)
    if problem is not None:
        raise ConfigurationError(problem)
    clients: list[TrustedClient] = []
    for index, entry in enumerate(data):
        iss: str = entry["iss"]
        where = f"{path}: client {index} (iss {iss!r})"
        jwks: object = None
        if "jwks" in entry:
            jwks = entry["jwks"]
        elif "jwks_file" in entry:
            jwks_path = path.parent / entry["jwks_file"]
            jwks = _read_json(jwks_path, "JWK Set file")
            where = f"{where}, jwks_file {jwks_path}"
        if jwks is not None:
            _check_pinned_keys(jwks, where)
        jku = entry.get("jku")
        if jku is not None:
            try:
                validate_jku(jku)
            except ConfigurationError as exc:
                raise ConfigurationError(f"{where}: {exc}") from None
        clients.append(
            TrustedClient(
                iss=iss,
                jku=jku,
                jwks=jwks if isinstance(jwks, Mapping) else None,
                tenant=entry.get("tenant"),
                fhir_servers=_fhir_servers(entry["fhir_servers"], where),
            )
        )
    try:
        check_client_set(clients)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{path}: {exc}") from None
    if warn and any(client.iss == PUBLIC_SANDBOX_ISS for client in clients):
        log.warning(
            "trusted clients include %s: its signing key is public (committed to the sandbox "
            "repository), so anyone can mint its tokens; trust it only in development",
            PUBLIC_SANDBOX_ISS,
        )
    return tuple(clients)
