"""Every setting of the service, read from `HER2CDS_*` environment variables in one place.

`Settings.from_env()` is called once, by the application factory or the CLI; nothing else
reads the environment. A bad value stops the service at start-up with a message naming the
variable, rather than failing on the first request.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Literal, TypeVar

from cards import default_thresholds
from cds_service.fhir_server_policy import FhirServerRejected, normalise_base_url
from fhir_mappings import MappingConfig

PREFIX = "HER2CDS_"
Number = TypeVar("Number", int, float)


class SettingsError(ValueError):
    """An environment variable has a value the service cannot use."""


def _csv(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(",") if part.strip())


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{PREFIX}{name} must be true or false, not {value!r}")


def _positive(name: str, value: str, kind: type[Number]) -> Number:
    try:
        number = kind(value)
    except ValueError as exc:
        words = "a whole number" if kind is int else "a number"
        raise SettingsError(f"{PREFIX}{name} must be {words}, not {value!r}") from exc
    if number <= 0:
        raise SettingsError(f"{PREFIX}{name} must be greater than 0")
    return number


def _fhir_servers(value: str) -> tuple[str, ...]:
    """Each base URL checked and normalised now, so a typo stops start-up, not a request."""
    servers = []
    for url in _csv(value):
        try:
            servers.append(normalise_base_url(url))
        except FhirServerRejected as exc:
            raise SettingsError(f"{PREFIX}FHIR_SERVERS: {url!r}: {exc.reason}") from exc
    return tuple(servers)


def _read_overrides(path: str) -> Mapping[str, float]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SettingsError(f"{PREFIX}THRESHOLDS_FILE: cannot read {path}: {exc}") from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool)
        for k, v in data.items()
    ):
        raise SettingsError(f"{PREFIX}THRESHOLDS_FILE must hold a JSON object of name: number")
    return data


def _overrides(path: str) -> dict[str, object]:
    """The one overrides file: card thresholds (`cards/data/*_thresholds.json`) and the
    mapping's switches (`MappingConfig`) by name; a name that is neither stops start-up."""
    data = _read_overrides(path)
    defaults = MappingConfig()
    switches = {f.name for f in fields(MappingConfig)}
    unknown = sorted(set(data) - switches - set(default_thresholds()))
    if unknown:
        raise SettingsError(f"{PREFIX}THRESHOLDS_FILE: unknown setting(s): {', '.join(unknown)}")
    mapping: dict[str, int | float] = {}
    for name in sorted(switches & set(data)):
        value = data[name]
        if isinstance(getattr(defaults, name), int):
            if not float(value).is_integer():
                raise SettingsError(f"{PREFIX}THRESHOLDS_FILE: {name} must be a whole number")
            value = int(value)
        mapping[name] = value
    return {
        "threshold_overrides": {k: float(v) for k, v in data.items() if k not in switches},
        "mapping_config": MappingConfig(**mapping),  # type: ignore[arg-type]
    }


def _operations(get: Callable[[str], str | None]) -> dict[str, object]:
    values: dict[str, object] = {}
    if (v := get("METRICS_DIR")) is not None:
        values["metrics_dir"] = Path(v)
    if (v := get("METRICS_PORT")) is not None:
        port = _positive("METRICS_PORT", v, int)
        if port > 65535:
            raise SettingsError(f"{PREFIX}METRICS_PORT must be a TCP port (1-65535)")
        values["metrics_port"] = port
    if (v := get("AUDIT_RETENTION_DAYS")) is not None:
        values["audit_retention_days"] = _positive("AUDIT_RETENTION_DAYS", v, int)
    if (v := get("REPORT_PAGE")) is not None:
        values["report_page"] = _bool("REPORT_PAGE", v)
    return values


@dataclass(frozen=True)
class Settings:
    """The service's configuration. Defaults are the embedded, single-machine set-up."""

    database_url: str = "sqlite:///her2cds-feedback.sqlite3"
    cors_origins: tuple[str, ...] = ("https://sandbox.cds-hooks.org",)
    fhir_servers: tuple[str, ...] | None = None  # None: any server (auth off only; warned)
    fhir_timeout_s: float = 2.0  # per FHIR query
    fhir_budget_s: float = 5.0  # all FHIR fallback queries of one hook call
    fhir_max_pages: int = 5  # Bundle `next` links followed per query
    fhir_max_entries: int = 1000  # entries kept per query
    fhir_allow_loopback_http: bool = False  # http:// only for 127.0.0.1 / ::1 / localhost
    auth: Literal["off", "required"] = "off"
    trusted_clients_file: Path | None = None
    public_base_url: str | None = None  # https://cds.example.org (JWT `aud` is built from it)
    jwt_algorithms: tuple[str, ...] = ("ES384", "RS384")
    redis_url: str | None = None  # jti replay cache shared by replicas
    max_body_bytes: int = 5 * 1024 * 1024
    log_level: str = "INFO"
    threshold_overrides: Mapping[str, float] = field(default_factory=dict)
    mapping_config: MappingConfig = field(default_factory=MappingConfig)  # same overrides file
    demo: bool = True  # /demo with the sample patients; served only when auth is off
    # Operations (README "Operating the service"):
    metrics_dir: Path | None = None  # prometheus multiprocess files; `serve` picks a temp dir
    metrics_port: int | None = None  # `serve` also exposes /metrics, unauthenticated, here
    audit_retention_days: int | None = None  # None: audit and feedback rows are kept
    report_page: bool = False  # GET /report (behind the same authentication as the API)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(PREFIX + name)
            return value if value is not None and value.strip() != "" else None

        values: dict[str, object] = {}
        if (v := get("DATABASE_URL")) is not None:
            values["database_url"] = v
        if (v := get("CORS_ORIGINS")) is not None:
            values["cors_origins"] = _csv(v)
        if (v := get("FHIR_SERVERS")) is not None:
            values["fhir_servers"] = _fhir_servers(v)
        if (v := get("FHIR_TIMEOUT_S")) is not None:
            values["fhir_timeout_s"] = _positive("FHIR_TIMEOUT_S", v, float)
        if (v := get("FHIR_BUDGET_S")) is not None:
            values["fhir_budget_s"] = _positive("FHIR_BUDGET_S", v, float)
        if (v := get("FHIR_MAX_PAGES")) is not None:
            values["fhir_max_pages"] = _positive("FHIR_MAX_PAGES", v, int)
        if (v := get("FHIR_MAX_ENTRIES")) is not None:
            values["fhir_max_entries"] = _positive("FHIR_MAX_ENTRIES", v, int)
        if (v := get("FHIR_ALLOW_LOOPBACK_HTTP")) is not None:
            values["fhir_allow_loopback_http"] = _bool("FHIR_ALLOW_LOOPBACK_HTTP", v)
        if (v := get("AUTH")) is not None:
            if v not in ("off", "required"):
                raise SettingsError(f"{PREFIX}AUTH must be 'off' or 'required', not {v!r}")
            values["auth"] = v
        if (v := get("TRUSTED_CLIENTS")) is not None:
            values["trusted_clients_file"] = Path(v)
        if (v := get("PUBLIC_BASE_URL")) is not None:
            values["public_base_url"] = v.rstrip("/")
        if (v := get("JWT_ALGORITHMS")) is not None:
            values["jwt_algorithms"] = _csv(v)
        if (v := get("REDIS_URL")) is not None:
            values["redis_url"] = v
        if (v := get("MAX_BODY_BYTES")) is not None:
            values["max_body_bytes"] = _positive("MAX_BODY_BYTES", v, int)
        if (v := get("LOG_LEVEL")) is not None:
            values["log_level"] = v.upper()
        if (v := get("DEMO")) is not None:
            values["demo"] = _bool("DEMO", v)
        if (v := get("THRESHOLDS_FILE")) is not None:
            values.update(_overrides(v))
        values.update(_operations(get))
        settings = cls(**values)  # type: ignore[arg-type]
        settings.check()
        return settings

    def check(self) -> None:
        """Combinations that cannot work are refused at start-up."""
        if self.auth == "required":
            if self.trusted_clients_file is None:
                raise SettingsError(f"{PREFIX}AUTH=required needs {PREFIX}TRUSTED_CLIENTS")
            if self.public_base_url is None:
                raise SettingsError(f"{PREFIX}AUTH=required needs {PREFIX}PUBLIC_BASE_URL")
        if self.public_base_url is not None and not self.public_base_url.startswith(
            ("https://", "http://")
        ):
            raise SettingsError(f"{PREFIX}PUBLIC_BASE_URL must be an http(s) URL")
        forbidden = [a for a in self.jwt_algorithms if a.upper().startswith("HS") or a == "none"]
        if forbidden:
            raise SettingsError(f"{PREFIX}JWT_ALGORITHMS must not include {forbidden}")
